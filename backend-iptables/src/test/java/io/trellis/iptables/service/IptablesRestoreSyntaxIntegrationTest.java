package io.trellis.iptables.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.service.Service;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated text as the real iptables-restore sees it, in a scratch network namespace: accepted
 * by {@code --test}, applied, read back by iptables-save in exactly the form the generator wrote
 * (so a restarted proxy finds its chains unchanged), and removed again by the uninstall plan, which
 * leaves other programs' rules alone. Needs root and the iptables package; fails without them.
 */
class IptablesRestoreSyntaxIntegrationTest {

    private TestNamespaces namespaces;
    private String node;
    private IptablesCommands commands;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        node = namespaces.create("node");
        commands = namespaces.commands(node);
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private static RuleSet ruleSet(List<Service> services) {
        ServiceRuleGenerator generator = Fixtures.generator();
        return RuleSet.assemble(generator, services.stream().map(generator::rulesFor).toList());
    }

    @Test
    void iptablesRestoreAcceptsEveryRuleShape() {
        List<String> plan = RestorePlan.converge(new SavedTables(Map.of()), ruleSet(RuleCatalog.everyFeature()),
                RestorePlan.CHAINS_PER_TRANSACTION);
        assertThat(plan).hasSize(1);
        String input = plan.get(0);
        assertThat(input).contains("--probability 0.33333333349", "--probability 0.50000000000", "--rcheck",
                "REJECT --reject-with tcp-reset", "REJECT --reject-with icmp-port-unreachable", "-j DROP", "-p sctp");
        commands.test(input);
    }

    @Test
    void appliedRulesReadBackExactlyAsGeneratedSoAReconvergeChangesNothing() {
        RuleSet wanted = ruleSet(RuleCatalog.everyFeature());
        RestorePlan.converge(commands.save(List.of("nat", "filter")), wanted, RestorePlan.CHAINS_PER_TRANSACTION)
                .forEach(commands::restore);

        SavedTables saved = commands.save(List.of("nat", "filter"));
        for (String table : List.of("nat", "filter")) {
            wanted.chains(table).forEach((chain, rules) ->
                    assertThat(saved.chains(table).get(chain)).as(table + " " + chain).isEqualTo(rules));
        }
        assertThat(RestorePlan.converge(saved, wanted, RestorePlan.CHAINS_PER_TRANSACTION)).isEmpty();
        // Each jump once, first in its built-in chain.
        assertThat(saved.chains("nat").get("PREROUTING")).containsExactly(
                "-m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES");
        assertThat(saved.chains("filter").get("FORWARD")).containsExactly(
                "-m conntrack --ctstate NEW -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-m conntrack --ctstate NEW -m comment --comment \"trellis externally-visible service portals\""
                        + " -j TRELLIS-EXTERNAL-SERVICES");
    }

    @Test
    void uninstallRemovesOnlyOurChainsAndJumps() {
        TestNamespaces.sh("ip netns exec " + node + " iptables -t nat -N OTHER-CHAIN");
        TestNamespaces.sh("ip netns exec " + node + " iptables -t nat -A PREROUTING -p tcp --dport 1 -j OTHER-CHAIN");
        TestNamespaces.sh("ip netns exec " + node + " iptables -t filter -A FORWARD -s 10.1.0.0/16 -j ACCEPT");
        RestorePlan.converge(commands.save(List.of("nat", "filter")), ruleSet(RuleCatalog.everyFeature()),
                RestorePlan.CHAINS_PER_TRANSACTION).forEach(commands::restore);

        new ServiceChainsCleanup(commands).run();

        SavedTables after = commands.save(List.of("nat", "filter"));
        List<String> owned = after.tables().values().stream().flatMap(t -> t.keySet().stream())
                .filter(ChainNames::isOwned).collect(Collectors.toList());
        assertThat(owned).isEmpty();
        String save = TestNamespaces.sh("ip netns exec " + node + " iptables-save");
        assertThat(save).doesNotContain("TRELLIS").contains(":OTHER-CHAIN", "-A PREROUTING -p tcp -m tcp --dport 1 -j OTHER-CHAIN",
                "-A FORWARD -s 10.1.0.0/16 -j ACCEPT");
        // Idempotent: nothing left to remove.
        assertThat(RestorePlan.uninstall(after, RestorePlan.CHAINS_PER_TRANSACTION)).isEmpty();
        new ServiceChainsCleanup(commands).run();
    }

    @Test
    void aPlanSplitIntoManyTransactionsAppliesInOrderAndReadsBackExactly() {
        TestNamespaces.sh("ip netns exec " + node + " iptables -t nat -N OTHER-CHAIN");
        TestNamespaces.sh("ip netns exec " + node + " iptables -t nat -A PREROUTING -p tcp --dport 1 -j OTHER-CHAIN");
        RuleSet first = ruleSet(RuleCatalog.copies(4, "31"));
        List<String> plan = RestorePlan.converge(commands.save(List.of("nat", "filter")), first, 3);
        assertThat(plan.size()).isGreaterThan(10);
        plan.forEach(commands::restore);
        assertReadsBack(first);

        // Endpoints changed in every Service, half of them removed: rewritten and deleted in split transactions.
        RuleSet second = ruleSet(RuleCatalog.copies(2, "32"));
        List<String> change = RestorePlan.converge(commands.save(List.of("nat", "filter")), second, 3);
        assertThat(change.size()).isGreaterThan(10);
        change.forEach(commands::restore);
        assertReadsBack(second);

        List<String> uninstall = RestorePlan.uninstall(commands.save(List.of("nat", "filter")), 3);
        assertThat(uninstall.size()).isGreaterThan(10);
        uninstall.forEach(commands::restore);
        String save = TestNamespaces.sh("ip netns exec " + node + " iptables-save");
        assertThat(save).doesNotContain("TRELLIS").contains("-A PREROUTING -p tcp -m tcp --dport 1 -j OTHER-CHAIN");
    }

    private void assertReadsBack(RuleSet wanted) {
        SavedTables saved = commands.save(List.of("nat", "filter"));
        for (String table : List.of("nat", "filter")) {
            Map<String, List<String>> owned = new java.util.LinkedHashMap<>();
            saved.chains(table).forEach((chain, rules) -> {
                if (ChainNames.isOwned(chain)) {
                    owned.put(chain, rules);
                }
            });
            assertThat(owned).as(table).isEqualTo(wanted.chains(table));
        }
        assertThat(RestorePlan.converge(saved, wanted, RestorePlan.CHAINS_PER_TRANSACTION)).isEmpty();
        assertThat(saved.chains("nat").get("PREROUTING")).containsExactly(
                "-m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-p tcp -m tcp --dport 1 -j OTHER-CHAIN");
    }
}
