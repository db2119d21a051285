package io.trellis.iptables.policy;

import io.trellis.iptables.exec.CommandRunner;
import static io.trellis.iptables.policy.Policies.ingress;
import static io.trellis.iptables.policy.Policies.peers;
import static io.trellis.iptables.policy.Policies.rule;
import static io.trellis.iptables.policy.Policies.target;
import static io.trellis.iptables.policy.Policies.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.PolicyException;
import io.trellis.spi.policy.PolicyRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The enforcer's sequencing against a fake node: what it runs, in which order, and how it recovers. */
class IptablesPolicyEnforcerTest {

    /** A node that keeps the last restored filter text and the set names; iptables-restore can be made to fail. */
    private static final class FakeNode implements CommandRunner {
        final List<String> calls = new ArrayList<>();
        final List<String> ipsetInputs = new ArrayList<>();
        final List<String> restoreInputs = new ArrayList<>();
        final Set<String> sets = new LinkedHashSet<>();
        String filter = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\nCOMMIT\n";
        boolean failRestore;
        PolicyRuleset applied;

        @Override
        public Result run(List<String> argv, String stdin) {
            String tool = argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1) + " " + argv.get(1);
            calls.add(tool);
            switch (tool) {
                case "iptables-save -c" -> {
                    return new Result(0, filter, "");
                }
                case "ipset list" -> {
                    return new Result(0, String.join("\n", sets) + "\n", "");
                }
                case "ipset restore" -> {
                    ipsetInputs.add(stdin);
                    stdin.lines().forEach(l -> {
                        String[] w = l.split(" ");
                        if (w[0].equals("create")) {
                            sets.add(w[1]);
                        } else if (w[0].equals("destroy")) {
                            sets.remove(w[1]);
                        }
                    });
                    return new Result(0, "", "");
                }
                case "iptables-restore -c" -> {
                    restoreInputs.add(stdin);
                    if (failRestore) {
                        return new Result(4, "", "iptables-restore: line 3 failed");
                    }
                    return new Result(0, "", "");
                }
                default -> throw new AssertionError("unexpected command " + argv);
            }
        }
    }

    private static NetworkPolicyRules policy(String peer) {
        return ingress("ns", "p", List.of(target("ns", "b", "10.244.1.12")), rule(0, peers(peer), tcp(80)));
    }

    @Test
    void createsSetsBeforeTheTransactionAndDestroysOldOnesAfter() {
        FakeNode node = new FakeNode();
        IptablesPolicyEnforcer enforcer = new IptablesPolicyEnforcer(new PolicyTools(node, "iptables-save",
                "iptables-restore", "ipset"));
        enforcer.replaceAll(List.of(policy("10.244.1.11/32")));
        assertThat(node.calls).containsExactly("iptables-save -c", "ipset list", "ipset restore", "iptables-restore -c",
                "ipset list");
        String first = PolicyNames.setName("10.244.1.11/32");
        assertThat(node.sets).containsExactly(first);

        node.calls.clear();
        enforcer.upsert(policy("10.244.1.13/32"));
        assertThat(node.calls).containsExactly("iptables-save -c", "ipset list", "ipset restore", "iptables-restore -c",
                "ipset list", "ipset restore");
        assertThat(node.sets).containsExactly(PolicyNames.setName("10.244.1.13/32"));

        node.calls.clear();
        enforcer.upsert(policy("10.244.1.13/32"));
        assertThat(node.calls).as("an unchanged policy costs nothing").isEmpty();
    }

    @Test
    void uninstallWithoutIpsetRemovesTheChainsAndRunsNoIpset() {
        FakeNode node = new FakeNode();
        node.filter = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:TRELLIS-POLICY - [0:0]\n"
                + "[0:0] -A FORWARD -j TRELLIS-POLICY\n[0:0] -A INPUT -j TRELLIS-POLICY\nCOMMIT\n";

        IptablesPolicyEnforcer.uninstall(new PolicyTools(node, "iptables-save", "iptables-restore", null));

        assertThat(node.calls).containsExactly("iptables-save -c", "iptables-restore -c");
        assertThat(node.restoreInputs).singleElement().asString()
                .contains("-D FORWARD -j TRELLIS-POLICY", "-X TRELLIS-POLICY");
        assertThatThrownBy(() -> new PolicyTools(node, "iptables-save", "iptables-restore", null).ipsetRestore("x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("install the ipset package");
    }

    @Test
    void aFailedTransactionIsReportedAndTheNextCallRefillsExistingSets() {
        FakeNode node = new FakeNode();
        IptablesPolicyEnforcer enforcer = new IptablesPolicyEnforcer(new PolicyTools(node, "iptables-save",
                "iptables-restore", "ipset"));
        enforcer.replaceAll(List.of());
        node.failRestore = true;
        assertThatThrownBy(() -> enforcer.upsert(policy("10.244.1.11/32"))).isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy ns/p").hasMessageContaining("line 3 failed");
        node.failRestore = false;
        node.calls.clear();
        enforcer.upsert(policy("10.244.1.11/32"));
        // The set made by the failed call exists: it is refilled (temp + swap), not trusted.
        String set = PolicyNames.setName("10.244.1.11/32");
        assertThat(node.calls).contains("iptables-restore -c");
        assertThat(node.ipsetInputs).contains("create " + PolicyNames.tempSetName(set)
                + " hash:net family inet hashsize 1024 maxelem 65536\nadd " + PolicyNames.tempSetName(set)
                + " 10.244.1.11/32\nswap " + PolicyNames.tempSetName(set) + " " + set + "\ndestroy "
                + PolicyNames.tempSetName(set) + "\n");
        assertThat(node.sets).containsExactly(PolicyNames.setName("10.244.1.11/32"));
        enforcer.remove(new PolicyRef("ns", "p"));
        enforcer.remove(new PolicyRef("ns", "p"));
        assertThat(node.sets).isEmpty();
    }
}
