package io.trellis.iptables.service;

import static io.trellis.iptables.service.Fixtures.port;
import static io.trellis.iptables.service.Fixtures.ready;
import static io.trellis.iptables.service.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** The plan's one transaction ("" for none): these small changes must never be split. */
    private static String one(List<String> transactions) {
        assertThat(transactions).hasSizeLessThanOrEqualTo(1);
        return transactions.isEmpty() ? "" : transactions.get(0);
    }

    private static String incremental(RuleSet before, RuleSet after) {
        return one(RestorePlan.incremental(before, after, RestorePlan.CHAINS_PER_TRANSACTION));
    }

    private static String converge(SavedTables saved, RuleSet after) {
        return one(RestorePlan.converge(saved, after, RestorePlan.CHAINS_PER_TRANSACTION));
    }

    private static String uninstall(SavedTables saved) {
        return one(RestorePlan.uninstall(saved, RestorePlan.CHAINS_PER_TRANSACTION));
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
        String text = incremental(before, after);

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
        assertThat(incremental(rules(web("10.244.1.5"), db()), rules(db(), web("10.244.1.5")))).isEmpty();
    }

    @Test
    void aRemovedServiceLosesItsChainsAndItsRulesInTheSharedChains() {
        String text = incremental(rules(web("10.244.1.5"), db()), rules(db()));

        assertThat(text).contains(":TRELLIS-SERVICES - [0:0]", "-X " + ChainNames.svc(WEB, "", Protocol.TCP),
                "-X " + ChainNames.sep(WEB, "", Protocol.TCP, "10.244.1.5:8080"), "-A TRELLIS-SERVICES -d 10.96.0.20/32");
        assertThat(text).doesNotContain("-A TRELLIS-SERVICES -d 10.96.0.10/32");
    }

    @Test
    void losingTheLastEndpointMovesTheServiceFromNatToAFilterReject() {
        String text = incremental(rules(web("10.244.1.5")), rules(web()));

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

        String text = converge(new SavedTables(kernel), wanted);

        String dbSvc = ChainNames.svc(new ServiceRef("default", "db"), "", Protocol.TCP);
        assertThat(text).contains(":" + dbSvc + " - [0:0]", "-X " + dbSvc, ":TRELLIS-SERVICES - [0:0]",
                "-D PREROUTING -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES");
        assertThat(text).doesNotContain(":" + ChainNames.svc(WEB, "", Protocol.TCP)).doesNotContain("OTHER")
                .doesNotContain("-I ").doesNotContain("*filter");
    }

    @Test
    void convergeOnAnEmptyKernelCreatesEverythingAndInsertsEachJumpOnce() {
        String text = converge(new SavedTables(Map.of()), rules(web("10.244.1.5")));

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
        assertThat(converge(new SavedTables(kernelHolding(rules(web("10.244.1.5")))), rules(web("10.244.1.5"))))
                .isEmpty();
    }

    @Test
    void uninstallDeletesOurChainsAndTheJumpsToThemOnly() {
        Map<String, Map<String, List<String>>> kernel = kernelHolding(rules(web("10.244.1.5")));
        kernel.get("nat").put("OTHER", List.of("-j ACCEPT"));
        kernel.get("nat").get("PREROUTING").add("-p tcp -j OTHER");

        String text = uninstall(new SavedTables(kernel));

        assertThat(text).contains("-D PREROUTING -m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES",
                "-X TRELLIS-SERVICES", "-X TRELLIS-SEP-", "-X TRELLIS-EXTERNAL-SERVICES", "*filter");
        assertThat(text).doesNotContain("OTHER").doesNotContain("-A ");
        assertThat(uninstall(new SavedTables(Map.of("nat", Map.of("OTHER", List.of("-j ACCEPT")))))).isEmpty();
    }

    // ------------------------------------------------------------------ large plans, split

    private RuleSet rules(List<Service> services) {
        return RuleSet.assemble(generator, services.stream().map(generator::rulesFor).toList());
    }

    /** Applies {@code plan} to a model of {@code start}, checking after each transaction that every Service is whole. */
    private static RestoreModel applyChecked(Map<String, Map<String, List<String>>> start, RuleSet before, RuleSet after,
                                             List<String> plan) {
        RestoreModel model = new RestoreModel(start);
        for (String transaction : plan) {
            model.apply(transaction);
            Map<String, List<String>> nat = model.chains("nat");
            for (List<String> service : after.serviceChains()) {
                boolean allNew = service.stream().allMatch(c -> after.chains("nat").get(c).equals(nat.get(c)));
                boolean allOld = service.stream().allMatch(c -> java.util.Objects.equals(
                        before.chains("nat").get(c), nat.get(c)));
                assertThat(allNew || allOld).as("Service chains %s half applied after %s", service, transaction)
                        .isTrue();
            }
        }
        return model;
    }

    private static void assertHolds(RestoreModel model, RuleSet wanted) {
        for (String table : List.of("nat", "filter")) {
            Map<String, List<String>> owned = new LinkedHashMap<>();
            model.chains(table).forEach((c, r) -> {
                if (ChainNames.isOwned(c)) {
                    owned.put(c, r);
                }
            });
            assertThat(owned).as(table).isEqualTo(wanted.chains(table));
        }
    }

    @Test
    void aSmallPlanIsOneTransactionAndALargeOneIsSplitByWholeServices() {
        RuleSet wanted = rules(RuleCatalog.copies(3, ""));
        int chains = wanted.chains("nat").size() + wanted.chains("filter").size();

        assertThat(RestorePlan.converge(new SavedTables(Map.of()), wanted, chains)).hasSize(1);
        List<String> split = RestorePlan.converge(new SavedTables(Map.of()), wanted, 5);

        assertThat(split.size()).isGreaterThan(3);
        // Each Service's chains are declared in one transaction only (a Service with more than 5 chains alone).
        for (List<String> service : wanted.serviceChains().stream().filter(c -> !c.isEmpty()).toList()) {
            List<String> holding = split.stream().filter(t -> service.stream().anyMatch(c -> t.contains(":" + c + " ")))
                    .toList();
            assertThat(holding).as("transactions declaring %s", service).hasSize(1);
            assertThat(service).allMatch(c -> holding.get(0).contains(":" + c + " "));
        }
        // The mark first; the entry chains and the built-in jumps after every Service chain.
        assertThat(split.get(0)).contains(":" + ChainNames.MARK_MASQ + " ").doesNotContain("-A TRELLIS-SERVICES");
        String last = split.get(split.size() - 1);
        assertThat(last).contains(":TRELLIS-SERVICES - [0:0]", "-I PREROUTING 1 ", "*filter\n");
        assertThat(split.subList(0, split.size() - 1)).noneMatch(t -> t.contains("-A TRELLIS-SERVICES "));
    }

    @Test
    void aSplitFirstSyncAppliesInOrderAndEndsInTheWantedState() {
        RuleSet wanted = rules(RuleCatalog.copies(4, ""));
        for (int max : List.of(1, 3, 7, 40)) {
            List<String> plan = RestorePlan.converge(new SavedTables(Map.of()), wanted, max);
            RestoreModel model = applyChecked(Map.of(), RuleSet.empty(), wanted, plan);
            assertHolds(model, wanted);
            assertThat(model.chains("nat").get("PREROUTING")).containsExactly(
                    "-m comment --comment \"trellis service portals\" -j TRELLIS-SERVICES");
        }
    }

    @Test
    void aSplitIncrementalChangeRewritesChangedServicesWholeAndDeletesReferrersFirst() {
        RuleSet before = rules(RuleCatalog.copies(4, "31"));
        // Endpoints changed everywhere, and the last copy's Services removed.
        RuleSet after = rules(RuleCatalog.copies(3, "32"));
        Map<String, Map<String, List<String>>> start = kernelHolding(before);
        for (int max : List.of(1, 4, 25)) {
            List<String> plan = RestorePlan.incremental(before, after, max);
            assertThat(plan.size()).isGreaterThan(2);
            RestoreModel model = applyChecked(start, before, after, plan);
            assertHolds(model, after);
        }
    }

    @Test
    void aSplitConvergeFromTheKernelDeletesStaleChainsAfterTheEntryChainsStopReferringToThem() {
        RuleSet before = rules(RuleCatalog.copies(4, "31"));
        RuleSet after = rules(RuleCatalog.copies(2, "32"));
        Map<String, Map<String, List<String>>> kernel = kernelHolding(before);
        kernel.get("nat").put("OTHER", new ArrayList<>(List.of("-j ACCEPT")));

        List<String> plan = RestorePlan.converge(new SavedTables(kernel), after, 6);

        RestoreModel model = applyChecked(kernel, before, after, plan);
        assertHolds(model, after);
        assertThat(model.chains("nat").get("OTHER")).containsExactly("-j ACCEPT");
        assertThat(plan).noneMatch(t -> t.contains("OTHER"));
    }

    @Test
    void aSplitUninstallUnhooksFirstThenDeletesReferrersFirst() {
        Map<String, Map<String, List<String>>> kernel = kernelHolding(rules(RuleCatalog.copies(3, "")));
        kernel.get("nat").put("OTHER", new ArrayList<>(List.of("-j ACCEPT")));
        kernel.get("nat").get("PREROUTING").add("-p tcp -j OTHER");

        List<String> plan = RestorePlan.uninstall(new SavedTables(kernel), 4);

        assertThat(plan.size()).isGreaterThan(3);
        assertThat(plan.get(0)).contains("-D PREROUTING ").doesNotContain("-X ");
        RestoreModel model = new RestoreModel(kernel);
        plan.forEach(model::apply);
        for (String table : List.of("nat", "filter")) {
            assertThat(model.chains(table).keySet()).noneMatch(ChainNames::isOwned);
        }
        assertThat(model.chains("nat").get("PREROUTING")).containsExactly("-p tcp -j OTHER");
    }

    @Test
    void deleteOrderPutsReferrersBeforeTheirTargets() {
        ServiceRef ref = new ServiceRef("default", "x");
        String ext = ChainNames.ext(ref, "", Protocol.TCP);
        String svc = ChainNames.svc(ref, "", Protocol.TCP);
        String svl = ChainNames.svl(ref, "", Protocol.TCP);
        String sep = ChainNames.sep(ref, "", Protocol.TCP, "10.0.0.1:80");
        List<String> order = new ArrayList<>(List.of(ChainNames.MARK_MASQ, sep, svl, svc, ext, ChainNames.POSTROUTING,
                ChainNames.SERVICES));
        order.sort(java.util.Comparator.comparingInt(RestorePlan::deleteOrder));

        assertThat(order.indexOf(ChainNames.SERVICES)).isLessThan(order.indexOf(ext));
        assertThat(order.indexOf(ChainNames.POSTROUTING)).isLessThan(order.indexOf(ext));
        assertThat(order.indexOf(ext)).isLessThan(order.indexOf(svc)).isLessThan(order.indexOf(svl));
        assertThat(order.indexOf(svc)).isLessThan(order.indexOf(sep));
        assertThat(order.indexOf(svl)).isLessThan(order.indexOf(sep));
        assertThat(order.get(order.size() - 1)).isEqualTo(ChainNames.MARK_MASQ);
    }

    @Test
    void aBudgetBelowOneChainIsRejected() {
        assertThatThrownBy(() -> RestorePlan.converge(new SavedTables(Map.of()), rules(db()), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxChains").hasMessageContaining("0");
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
