package io.trellis.iptables.service;

import static io.trellis.iptables.service.Fixtures.port;
import static io.trellis.iptables.service.Fixtures.ready;
import static io.trellis.iptables.service.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestorePlanTest {

    private static final ServiceRef WEB = new ServiceRef("default", "web");
    private final ServiceRuleGenerator generator = Fixtures.generator();

    private RuleSet rules(Service... services) {
        return RuleSet.assemble(generator, List.of(services).stream().map(generator::rulesFor).toList());
    }

    private static Service web(String... endpointIps) {
        List<io.trellis.spi.service.ServiceEndpoint> eps = new ArrayList<>();
        for (String ip : endpointIps) {
            eps.add(ready(ip, "node-a", "", Protocol.TCP, 8080));
        }
        return service("web", "10.96.0.10", List.of(port("", Protocol.TCP, 80)), eps);
    }

    private static Service db() {
        return service("db", "10.96.0.20", List.of(port("", Protocol.TCP, 5432)),
                List.of(ready("10.244.1.9", "node-a", "", Protocol.TCP, 5432)));
    }

    @Test
    void anEndpointChangeRewritesOnlyThatServicesBalancingChainAndItsEndpointChains() {
        RuleSet before = rules(web("10.244.1.5", "10.244.1.6"), db());
        RuleSet after = rules(web("10.244.1.5", "10.244.1.7"), db());

        String svc = ChainNames.svc(WEB, "", Protocol.TCP);
        String added = ChainNames.sep(WEB, "", Protocol.TCP, "10.244.1.7:8080");
        String removed = ChainNames.sep(WEB, "", Protocol.TCP, "10.244.1.6:8080");
        String kept = ChainNames.sep(WEB, "", Protocol.TCP, "10.244.1.5:8080");
        String text = RestorePlan.incremental(before, after);

        assertThat(text.lines().filter(l -> l.startsWith(":")).toList()).containsExactly(
                ":" + svc + " - [0:0]", ":" + added + " - [0:0]", ":" + removed + " - [0:0]");
        assertThat(text.lines().filter(l -> l.startsWith("-A ")).map(l -> l.split(" ")[1]).distinct().toList())
                .containsExactly(svc, added);
        assertThat(text).contains("-X " + removed + "\n").doesNotContain(":" + kept).doesNotContain("-A " + kept).doesNotContain("TRELLIS-SERVICES")
                .doesNotContain("*filter").startsWith("*nat\n").endsWith("COMMIT\n");
        // The -X comes after the rewritten chain that referred to it.
        assertThat(text.indexOf("-X " + removed)).isGreaterThan(text.lastIndexOf("-A " + svc));
    }

    @Test
    void nothingChangedMeansNoTransaction() {
        assertThat(RestorePlan.incremental(rules(web("10.244.1.5"), db()), rules(db(), web("10.244.1.5")))).isEmpty();
    }

    @Test
    void aRemovedServiceLosesItsChainsAndItsRulesInTheSharedChains() {
        String text = RestorePlan.incremental(rules(web("10.244.1.5"), db()), rules(db()));

        assertThat(text).contains(":TRELLIS-SERVICES - [0:0]", "-X " + ChainNames.svc(WEB, "", Protocol.TCP),
                "-X " + ChainNames.sep(WEB, "", Protocol.TCP, "10.244.1.5:8080"), "-A TRELLIS-SERVICES -d 10.96.0.20/32");
        assertThat(text).doesNotContain("-A TRELLIS-SERVICES -d 10.96.0.10/32");
    }

    @Test
    void losingTheLastEndpointMovesTheServiceFromNatToAFilterReject() {
        String text = RestorePlan.incremental(rules(web("10.244.1.5")), rules(web()));

        assertThat(text).contains("*nat\n", "*filter\n", ":TRELLIS-SERVICES - [0:0]",
                "-A TRELLIS-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web has no endpoints\" -m tcp"
                        + " --dport 80 -j REJECT --reject-with tcp-reset");
    }

    @Test
    void convergeLeavesChainsTheKernelHoldsCorrectlyAndRemovesStaleOnes() {
        RuleSet wanted = rules(web("10.244.1.5"));
        Map<String, Map<String, List<String>>> kernel = kernelHolding(rules(web("10.244.1.5"), db()));
        // Another program's chain and rule, and one of our jumps twice.
        kernel.get("nat").put("OTHER", List.of("-j ACCEPT"));
        kernel.get("nat").get("PREROUTING").add("-p tcp -j OTHER");
        kernel.get("nat").get("PREROUTING").add("-m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES");

        String text = RestorePlan.converge(new SavedTables(kernel), wanted);

        String dbSvc = ChainNames.svc(new ServiceRef("default", "db"), "", Protocol.TCP);
        assertThat(text).contains(":" + dbSvc + " - [0:0]", "-X " + dbSvc, ":TRELLIS-SERVICES - [0:0]",
                "-D PREROUTING -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES");
        assertThat(text).doesNotContain(":" + ChainNames.svc(WEB, "", Protocol.TCP)).doesNotContain("OTHER")
                .doesNotContain("-I ").doesNotContain("*filter");
    }

    @Test
    void convergeOnAnEmptyKernelCreatesEverythingAndInsertsEachJumpOnce() {
        String text = RestorePlan.converge(new SavedTables(Map.of()), rules(web("10.244.1.5")));

        assertThat(text.lines().filter(l -> l.startsWith("-I ")).toList()).containsExactly(
                "-I POSTROUTING 1 -m comment --comment \"trellis service postrouting rules\" -j TRELLIS-SVC-POSTROUTING",
                "-I OUTPUT 1 -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-I PREROUTING 1 -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment \"trellis externally-visible service portals\""
                        + " -j TRELLIS-EXTERNAL-SERVICES",
                "-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-I FORWARD 1 -m conntrack --ctstate NEW -m comment --comment \"trellis externally-visible service portals\""
                        + " -j TRELLIS-EXTERNAL-SERVICES",
                "-I FORWARD 1 -m conntrack --ctstate NEW -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-I INPUT 1 -m conntrack --ctstate NEW -m comment --comment \"trellis externally-visible service portals\""
                        + " -j TRELLIS-EXTERNAL-SERVICES");
        assertThat(RestorePlan.converge(new SavedTables(kernelHolding(rules(web("10.244.1.5")))), rules(web("10.244.1.5"))))
                .isEmpty();
    }

    @Test
    void uninstallDeletesOurChainsAndTheJumpsToThemOnly() {
        Map<String, Map<String, List<String>>> kernel = kernelHolding(rules(web("10.244.1.5")));
        kernel.get("nat").put("OTHER", List.of("-j ACCEPT"));
        kernel.get("nat").get("PREROUTING").add("-p tcp -j OTHER");

        String text = RestorePlan.uninstall(new SavedTables(kernel));

        assertThat(text).contains("-D PREROUTING -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-X TRELLIS-SERVICES", "-X TRELLIS-SEP-", "-X TRELLIS-EXTERNAL-SERVICES", "*filter");
        assertThat(text).doesNotContain("OTHER").doesNotContain("-A ");
        assertThat(RestorePlan.uninstall(new SavedTables(Map.of("nat", Map.of("OTHER", List.of("-j ACCEPT")))))).isEmpty();
    }

    /** What iptables-save would show after applying {@code rules} (our generator writes its canonical form). */
    private static Map<String, Map<String, List<String>>> kernelHolding(RuleSet rules) {
        Map<String, Map<String, List<String>>> kernel = new LinkedHashMap<>();
        for (String table : List.of("nat", "filter")) {
            Map<String, List<String>> chains = new LinkedHashMap<>();
            for (String builtin : table.equals("nat") ? List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")
                    : List.of("INPUT", "FORWARD", "OUTPUT")) {
                chains.put(builtin, new ArrayList<>());
            }
            for (RuleSet.Jump jump : RuleSet.JUMPS) {
                if (jump.table().equals(table)) {
                    chains.get(jump.from()).add(jump.spec());
                }
            }
            rules.chains(table).forEach((c, r) -> chains.put(c, new ArrayList<>(r)));
            kernel.put(table, chains);
        }
        return kernel;
    }
}
