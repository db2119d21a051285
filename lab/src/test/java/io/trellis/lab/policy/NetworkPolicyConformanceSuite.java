package io.trellis.lab.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.lab.workload.ProbeClient.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * NetworkPolicy conformance on a 2-node lab, as root, on the upstream Kubernetes test model
 * (samples/netpol-xyz.yaml: namespaces x, y, z labelled ns=NAME, pods a, b, c labelled pod=NAME, spread over both
 * nodes so that same-node and cross-node pairs both occur, each serving 80 and 81 over TCP and UDP with named
 * ports). Every scenario states its expected matrix by hand (starting from all allowed), applies its policies
 * through the API, and probes all 72 ordered pod pairs (plus the outside address 10.250.0.200 for egress) until
 * the observed matrix equals the expected one or {@link PolicyLab#SETTLE} passes; a failure prints both
 * matrices and the differing pairs. Before each scenario every policy and label change is undone and the lab
 * is back to all reachable. One lab for the class.
 *
 * <p>The same scenarios and matrices for every data plane: a backend runs the suite by extending it and naming
 * its lab backend in {@link #backend()} (its own enforcer enforces). Fails without root, the backend's tools or
 * a built tree.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NetworkPolicyConformanceSuite {
    private static final String XA = "x/a";
    private static final String XB = "x/b";
    private static final String XC = "x/c";
    private static final String YA = "y/a";
    private static final String YB = "y/b";
    private static final String YC = "y/c";
    private static final String ZA = "z/a";
    private static final String ZB = "z/b";
    private static final String ZC = "z/c";
    private static final String OUT = PolicyLab.OUTSIDE;

    private final Path home = Path.of("").toAbsolutePath().getParent();
    private PolicyLab lab;
    private String scenario;

    /** The `lab up --backend` value. */
    protected abstract String backend();

    @BeforeAll
    void up() throws Exception {
        lab = new PolicyLab(home, Files.createTempDirectory(Path.of("/tmp"), "tlabnp" + backend()), backend());
        try {
            lab.up(2);
        } catch (Throwable e) {
            lab.close();
            throw e;
        }
    }

    @AfterAll
    void down() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void reset(TestInfo test) throws Exception {
        scenario = test.getTestMethod().orElseThrow().getName();
        lab.reset();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static Reachability allowAll() {
        return new Reachability(PolicyLab.PODS, true);
    }

    /** The pods and the outside address as a target. */
    private static Reachability allowAllWithOutside() {
        return new Reachability(PolicyLab.PODS, List.of(OUT), true);
    }

    /** A NetworkPolicy's YAML; {@code spec} is written without indentation. */
    private static String policy(String namespace, String name, String spec) {
        return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: "
                + namespace + "}\nspec:\n" + spec.indent(2);
    }

    private static String denyAllIngress(String namespace) {
        return policy(namespace, "deny-all-ingress", "podSelector: {}\npolicyTypes: [Ingress]\n");
    }

    private void apply(String... policies) {
        lab.apply(String.join("---\n", policies));
    }

    private void expectTcp80(Reachability r) throws InterruptedException {
        lab.expect(scenario, r, 80, Protocol.TCP);
    }

    private void expect(Reachability r, int port, Protocol protocol) throws InterruptedException {
        lab.expect(scenario, r, port, protocol);
    }

    // ---- the sample without policies ---------------------------------------------------------------------

    @Test
    void withoutPoliciesEveryPodReachesEveryPodOnBothPortsAndProtocols() throws Exception {
        Reachability all = allowAllWithOutside();
        expect(all, 80, Protocol.TCP);
        expect(all, 81, Protocol.TCP);
        expect(all, 80, Protocol.UDP);
        expect(all, 81, Protocol.UDP);
        // The namespaces carry the name label a real API server adds: namespace selectors may use it.
        assertThat(lab.client().namespaces().withName("y").get().getMetadata().getLabels())
                .containsEntry("ns", "y").containsEntry("kubernetes.io/metadata.name", "y");
    }

    // ---- default deny / allow all ------------------------------------------------------------------------

    @Test
    void denyAllIngressIsolatesEveryPodOfTheNamespace() throws Exception {
        apply(denyAllIngress("x"));
        Reachability r = allowAll().expectAllIngress(XA, false).expectAllIngress(XB, false).expectAllIngress(XC, false);
        expectTcp80(r);
        expect(r, 81, Protocol.UDP);
    }

    @Test
    void denyAllEgressStopsEveryPodOfTheNamespaceReachingAnyPodOrTheOutside() throws Exception {
        apply(policy("x", "deny-all-egress", "podSelector: {}\npolicyTypes: [Egress]\n"));
        Reachability r = allowAllWithOutside().expectAllEgress(XA, false).expectAllEgress(XB, false)
                .expectAllEgress(XC, false);
        expectTcp80(r);
        expect(r, 81, Protocol.UDP);
    }

    @Test
    void denyAllIngressAndEgressIsolatesBothWays() throws Exception {
        apply(policy("x", "deny-all", "podSelector: {}\npolicyTypes: [Ingress, Egress]\n"));
        Reachability r = allowAll();
        for (String pod : List.of(XA, XB, XC)) {
            r.expectAllIngress(pod, false).expectAllEgress(pod, false);
        }
        expectTcp80(r);
    }

    @Test
    void denyAllIngressInEveryNamespaceDeniesEveryPair() throws Exception {
        apply(denyAllIngress("x"), denyAllIngress("y"), denyAllIngress("z"));
        expectTcp80(new Reachability(PolicyLab.PODS, false));
    }

    @Test
    void anAllowAllIngressPolicyNextToADenyAllOneAllowsEverything() throws Exception {
        apply(denyAllIngress("x"), policy("x", "allow-all-ingress", "podSelector: {}\ningress:\n- {}\n"));
        expectTcp80(allowAll());
        expect(allowAll(), 81, Protocol.UDP);
    }

    @Test
    void anAllowAllEgressPolicyNextToADenyAllOneAllowsEverything() throws Exception {
        apply(policy("x", "deny-all-egress", "podSelector: {}\npolicyTypes: [Egress]\n"),
                policy("x", "allow-all-egress", "podSelector: {}\npolicyTypes: [Egress]\negress:\n- {}\n"));
        expectTcp80(allowAllWithOutside());
    }

    @Test
    void aPolicyOnlyIsolatesPodsOfItsOwnNamespace() throws Exception {
        apply(policy("y", "deny-a", "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Ingress]\n"));
        expectTcp80(allowAll().expectAllIngress(YA, false));
    }

    // ---- peers: pod and namespace selectors ----------------------------------------------------------------

    @Test
    void ingressFromAPodSelectorMeansThosePodsInThePolicysNamespace() throws Exception {
        apply(policy("x", "allow-b", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {matchLabels: {pod: b}}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XB, XA, true));
    }

    @Test
    void ingressFromAnEmptyPodSelectorMeansEveryPodOfThePolicysNamespace() throws Exception {
        apply(policy("x", "allow-own-namespace", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XB, XA, true).expect(XC, XA, true));
    }

    @Test
    void ingressFromANamespaceSelectorMeansEveryPodOfThoseNamespaces() throws Exception {
        apply(policy("x", "allow-ns-y", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expectFromNamespace("y", XA, true));
    }

    @Test
    void ingressFromAnEmptyNamespaceSelectorMeansEveryPodButOnlyOnTheRulesPort() throws Exception {
        apply(policy("x", "allow-all-namespaces-80", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {}}]
                  ports: [{port: 80, protocol: TCP}]
                """));
        expectTcp80(allowAll());
        expect(allowAll().expectAllIngress(XA, false), 81, Protocol.TCP);
    }

    @Test
    void theNamespaceNameLabelSelectsANamespace() throws Exception {
        apply(policy("x", "allow-z-by-name", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expectFromNamespace("z", XA, true));
    }

    @Test
    void namespaceAndPodSelectorInOnePeerAreAnded() throws Exception {
        apply(policy("x", "allow-y-b", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from:
                  - namespaceSelector: {matchLabels: {ns: y}}
                    podSelector: {matchLabels: {pod: b}}
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(YB, XA, true));
    }

    @Test
    void namespaceAndPodSelectorAsTwoPeersAreOred() throws Exception {
        apply(policy("x", "allow-y-or-b", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from:
                  - namespaceSelector: {matchLabels: {ns: y}}
                  - podSelector: {matchLabels: {pod: b}}
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expectFromNamespace("y", XA, true).expect(XB, XA, true));
    }

    @Test
    void egressToAPodSelectorMeansThosePodsInThePolicysNamespace() throws Exception {
        apply(policy("x", "egress-to-b", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                egress:
                - to: [{podSelector: {matchLabels: {pod: b}}}]
                """));
        expectTcp80(allowAllWithOutside().expectAllEgress(XA, false).expect(XA, XB, true));
    }

    @Test
    void egressToANamespaceSelector() throws Exception {
        apply(policy("x", "egress-to-y", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                egress:
                - to: [{namespaceSelector: {matchLabels: {ns: y}}}]
                """));
        expectTcp80(allowAllWithOutside().expectAllEgress(XA, false).expectToNamespace(XA, "y", true));
    }

    // ---- matchExpressions ------------------------------------------------------------------------------

    @Test
    void matchExpressionsInSelectsTargetsAndPeers() throws Exception {
        apply(policy("x", "in", """
                podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
                ingress:
                - from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [c]}]}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expectAllIngress(XB, false)
                .expect(XC, XA, true).expect(XC, XB, true));
    }

    @Test
    void matchExpressionsNotInOnNamespaces() throws Exception {
        apply(policy("x", "not-in", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x, y]}]}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expectFromNamespace("z", XA, true));
    }

    @Test
    void matchExpressionsExistsSelectsPodsWithTheLabelWhateverItsValue() throws Exception {
        lab.labelPod(XB, "role", "client");
        lab.labelPod(YC, "role", "other");
        apply(policy("x", "exists", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: role, operator: Exists}]}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XB, XA, true).expect(YC, XA, true));
    }

    @Test
    void matchExpressionsDoesNotExistSelectsPodsWithoutTheLabel() throws Exception {
        lab.labelPod(XB, "role", "client");
        apply(policy("x", "does-not-exist", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {matchExpressions: [{key: role, operator: DoesNotExist}]}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XC, XA, true));
    }

    @Test
    void aPolicyWhosePodSelectorMatchesNothingIsolatesNothing() throws Exception {
        apply(policy("x", "nobody", """
                podSelector: {matchExpressions: [{key: pod, operator: DoesNotExist}]}
                policyTypes: [Ingress, Egress]
                """));
        expectTcp80(allowAllWithOutside());
    }

    // ---- ipBlock -----------------------------------------------------------------------------------------

    @Test
    void ingressFromAnIpBlockOfOnePodAddress() throws Exception {
        String zc = lab.ip(ZC);
        apply(policy("x", "from-zc-ip", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{ipBlock: {cidr: %s/32}}]
                """.formatted(zc)));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(ZC, XA, true));
    }

    @Test
    void ingressFromAnIpBlockWithExceptLeavesTheExceptedPodOut() throws Exception {
        String yb = lab.ip(YB);
        apply(policy("x", "from-cluster-but-yb", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{ipBlock: {cidr: 10.244.0.0/16, except: [%s/32]}}]
                """.formatted(yb)));
        expectTcp80(allowAll().expect(YB, XA, false));
    }

    @Test
    void egressToAnIpBlockWithTwoExcepts() throws Exception {
        String yb = lab.ip(YB);
        String zc = lab.ip(ZC);
        apply(policy("x", "to-cluster-but-two", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                egress:
                - to: [{ipBlock: {cidr: 10.244.0.0/16, except: [%s/32, %s/32]}}]
                """.formatted(yb, zc)));
        expectTcp80(allowAllWithOutside().expect(XA, YB, false).expect(XA, ZC, false).expect(XA, OUT, false));
    }

    @Test
    void egressToEverythingButTheClusterReachesOnlyTheOutside() throws Exception {
        apply(policy("x", "outside-only", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                egress:
                - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.244.0.0/16]}}]
                """));
        Reachability r = allowAllWithOutside().expectAllEgress(XA, false).expect(XA, OUT, true);
        expectTcp80(r);
        expect(r, 81, Protocol.UDP);
    }

    @Test
    void egressToOneAddressOutsideTheCluster() throws Exception {
        apply(policy("x", "to-outside-host", """
                podSelector: {}
                policyTypes: [Egress]
                egress:
                - to: [{ipBlock: {cidr: 10.250.0.200/32}}]
                  ports: [{port: 81, protocol: UDP}]
                """));
        Reachability udp81 = allowAllWithOutside();
        Reachability tcp80 = allowAllWithOutside();
        for (String pod : List.of(XA, XB, XC)) {
            udp81.expectAllEgress(pod, false).expect(pod, OUT, true);
            tcp80.expectAllEgress(pod, false);
        }
        expect(udp81, 81, Protocol.UDP);
        expectTcp80(tcp80);
    }

    // ---- ports -------------------------------------------------------------------------------------------

    @Test
    void aNumericTcpPortAllowsOnlyThatPortAndProtocol() throws Exception {
        apply(policy("x", "port-80", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: 80, protocol: TCP}]
                """));
        expectTcp80(allowAll());
        expect(allowAll().expectAllIngress(XA, false), 81, Protocol.TCP);
        expect(allowAll().expectAllIngress(XA, false), 80, Protocol.UDP);
    }

    @Test
    void aPortWithoutProtocolMeansTcp() throws Exception {
        apply(policy("x", "port-81", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: 81}]
                """));
        expect(allowAll(), 81, Protocol.TCP);
        expect(allowAll().expectAllIngress(XA, false), 81, Protocol.UDP);
        expectTcp80(allowAll().expectAllIngress(XA, false));
    }

    @Test
    void aNamedTcpPortResolvesOnTheTargetPod() throws Exception {
        apply(policy("x", "named-80-tcp", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {}}]
                  ports: [{port: serve-80-tcp}]
                """));
        expectTcp80(allowAll());
        expect(allowAll().expectAllIngress(XA, false), 81, Protocol.TCP);
        expect(allowAll().expectAllIngress(XA, false), 80, Protocol.UDP);
    }

    @Test
    void aNamedUdpPortResolvesOnTheTargetPod() throws Exception {
        apply(policy("x", "named-81-udp", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: serve-81-udp, protocol: UDP}]
                """));
        expect(allowAll(), 81, Protocol.UDP);
        expect(allowAll().expectAllIngress(XA, false), 81, Protocol.TCP);
        expect(allowAll().expectAllIngress(XA, false), 80, Protocol.UDP);
    }

    @Test
    void aNamedEgressPortResolvesOnTheDestinationPodsAndMatchesNoOutsideAddress() throws Exception {
        apply(policy("x", "egress-named-81", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                egress:
                - ports: [{port: serve-81-tcp}]
                """));
        // 81/TCP to every pod (each declares serve-81-tcp), nothing on 80; the outside host has no named ports.
        expect(allowAllWithOutside().expect(XA, OUT, false), 81, Protocol.TCP);
        expectTcp80(allowAllWithOutside().expectAllEgress(XA, false));
    }

    @Test
    void anEndPortRangeCoversBothPorts() throws Exception {
        apply(policy("x", "range-80-81", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: 80, endPort: 81, protocol: TCP}]
                """));
        expectTcp80(allowAll());
        expect(allowAll(), 81, Protocol.TCP);
        expect(allowAll().expectAllIngress(XA, false), 81, Protocol.UDP);
    }

    @Test
    void anEndPortRangeStartingAboveAPortLeavesItOut() throws Exception {
        apply(policy("x", "range-81-90", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: 81, endPort: 90, protocol: TCP}]
                """));
        expect(allowAll(), 81, Protocol.TCP);
        expectTcp80(allowAll().expectAllIngress(XA, false));
    }

    @Test
    void aProtocolWithoutPortAllowsEveryPortOfThatProtocol() throws Exception {
        apply(policy("x", "all-udp", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{protocol: UDP}]
                """));
        expect(allowAll(), 80, Protocol.UDP);
        expect(allowAll(), 81, Protocol.UDP);
        expectTcp80(allowAll().expectAllIngress(XA, false));
    }

    @Test
    void anSctpPortOpensNeitherTcpNorUdp() throws Exception {
        // The lab's probe speaks TCP and UDP only: SCTP traffic itself is not probed; the rule must not leak.
        apply(policy("x", "sctp-80", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: 80, protocol: SCTP}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false));
        expect(allowAll().expectAllIngress(XA, false), 80, Protocol.UDP);
    }

    @Test
    void severalPortsInOneRuleEachWithItsProtocol() throws Exception {
        apply(policy("x", "tcp80-udp81", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: 80, protocol: TCP}, {port: 81, protocol: UDP}]
                """));
        expectTcp80(allowAll());
        expect(allowAll(), 81, Protocol.UDP);
        expect(allowAll().expectAllIngress(XA, false), 81, Protocol.TCP);
        expect(allowAll().expectAllIngress(XA, false), 80, Protocol.UDP);
    }

    @Test
    void rulesAreOredEachWithItsOwnPeersAndPorts() throws Exception {
        apply(policy("x", "two-rules", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {matchLabels: {pod: b}}}]
                  ports: [{port: 80}]
                - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                  ports: [{port: 81}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XB, XA, true));
        expect(allowAll().expectAllIngress(XA, false).expectFromNamespace("y", XA, true), 81, Protocol.TCP);
    }

    // ---- policy types, several policies --------------------------------------------------------------------

    @Test
    void twoPoliciesOnOnePodAllowTheUnionOfTheirPeers() throws Exception {
        apply(policy("x", "from-b", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {matchLabels: {pod: b}}}]
                """), policy("x", "from-z", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchLabels: {ns: z}}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XB, XA, true).expectFromNamespace("z", XA, true));
    }

    @Test
    void oneIngressAndOneEgressPolicyOnOnePod() throws Exception {
        apply(policy("x", "in-from-y", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                """), policy("x", "out-to-z", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                egress:
                - to: [{namespaceSelector: {matchLabels: {ns: z}}}]
                """));
        expectTcp80(allowAllWithOutside().expectAllIngress(XA, false).expectFromNamespace("y", XA, true)
                .expectAllEgress(XA, false).expectToNamespace(XA, "z", true));
    }

    @Test
    void ingressAndEgressRulesInOnePolicy() throws Exception {
        apply(policy("x", "both", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Ingress, Egress]
                ingress:
                - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                egress:
                - to: [{podSelector: {matchLabels: {pod: c}}}]
                """));
        expectTcp80(allowAllWithOutside().expectAllIngress(XA, false).expectFromNamespace("y", XA, true)
                .expectAllEgress(XA, false).expect(XA, XC, true));
    }

    @Test
    void policyTypesEgressOnlyIgnoresTheIngressRules() throws Exception {
        apply(policy("x", "egress-only", """
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                ingress:
                - from: [{podSelector: {matchLabels: {pod: b}}}]
                """));
        expectTcp80(allowAllWithOutside().expectAllEgress(XA, false));
    }

    @Test
    void withoutPolicyTypesEgressRulesMakeThePolicyIsolateBothWays() throws Exception {
        apply(policy("x", "implicit-types", """
                podSelector: {matchLabels: {pod: a}}
                egress:
                - to: [{namespaceSelector: {matchLabels: {ns: y}}}]
                """));
        expectTcp80(allowAllWithOutside().expectAllIngress(XA, false).expectAllEgress(XA, false)
                .expectToNamespace(XA, "y", true));
    }

    // ---- changes -----------------------------------------------------------------------------------------

    @Test
    void anUpdatedPolicyReplacesItsPeers() throws Exception {
        String from = """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchLabels: {ns: %s}}}]
                """;
        apply(policy("x", "moving", from.formatted("y")));
        expectTcp80(allowAll().expectAllIngress(XA, false).expectFromNamespace("y", XA, true));
        apply(policy("x", "moving", from.formatted("z")));
        expectTcp80(allowAll().expectAllIngress(XA, false).expectFromNamespace("z", XA, true));
    }

    @Test
    void anUpdatedPolicyChangesItsTargets() throws Exception {
        String deny = "podSelector: {matchLabels: {pod: %s}}\npolicyTypes: [Ingress]\n";
        apply(policy("y", "target", deny.formatted("a")));
        expectTcp80(allowAll().expectAllIngress(YA, false));
        apply(policy("y", "target", deny.formatted("c")));
        expectTcp80(allowAll().expectAllIngress(YC, false));
    }

    @Test
    void aDeletedPolicyNoLongerIsolates() throws Exception {
        apply(denyAllIngress("z"));
        expectTcp80(allowAll().expectAllIngress(ZA, false).expectAllIngress(ZB, false).expectAllIngress(ZC, false));
        lab.deletePolicy("z", "deny-all-ingress");
        expectTcp80(allowAll());
    }

    @Test
    void deletingOneOfTwoPoliciesKeepsTheOther() throws Exception {
        apply(policy("x", "from-b", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {matchLabels: {pod: b}}}]
                """), policy("x", "from-y", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                """));
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XB, XA, true).expectFromNamespace("y", XA, true));
        lab.deletePolicy("x", "from-y");
        expectTcp80(allowAll().expectAllIngress(XA, false).expect(XB, XA, true));
    }

    @Test
    void aPeerPodGainingAndLosingALabelGainsAndLosesAccess() throws Exception {
        apply(policy("x", "from-clients", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}]
                """));
        Reachability none = allowAll().expectAllIngress(XA, false);
        expectTcp80(none);
        lab.labelPod(YC, "role", "client");
        expectTcp80(none.copy().expect(YC, XA, true));
        lab.labelPod(YC, "role", null);
        expectTcp80(none);
    }

    @Test
    void aPodGainingAndLosingALabelBecomesAndStopsBeingATarget() throws Exception {
        apply(policy("x", "isolate-labelled", """
                podSelector: {matchLabels: {isolated: "true"}}
                policyTypes: [Ingress]
                """));
        expectTcp80(allowAll());
        lab.labelPod(XB, "isolated", "true");
        expectTcp80(allowAll().expectAllIngress(XB, false));
        lab.labelPod(XB, "isolated", null);
        expectTcp80(allowAll());
    }

    @Test
    void aNamespaceGainingAndLosingALabelGainsAndLosesAccess() throws Exception {
        apply(policy("x", "from-blue-team", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{namespaceSelector: {matchLabels: {team: blue}}}]
                """));
        Reachability none = allowAll().expectAllIngress(XA, false);
        expectTcp80(none);
        lab.labelNamespace("z", "team", "blue");
        expectTcp80(none.copy().expectFromNamespace("z", XA, true));
        lab.labelNamespace("z", "team", null);
        expectTcp80(none);
    }

    @Test
    void aPodCreatedAfterThePoliciesIsBothTargetAndPeer() throws Exception {
        lab.deletePod(XB);
        apply(policy("x", "isolate-b", """
                podSelector: {matchLabels: {pod: b}}
                policyTypes: [Ingress]
                """), policy("x", "a-from-b", """
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {matchLabels: {pod: b}}}]
                """));
        lab.createPod(XB);
        expectTcp80(allowAll().expectAllIngress(XB, false).expectAllIngress(XA, false).expect(XB, XA, true));
    }

    // ---- the lab's own commands ------------------------------------------------------------------------

    @Test
    void labApplyGetProbeAndDeleteHandleNetworkPolicies() throws Exception {
        Path file = lab.labDir().resolve("deny-x.yaml");
        Files.writeString(file, denyAllIngress("x"));
        PolicyLab.Run apply = lab.check("apply", "-f", file.toString());
        assertThat(apply.stdout()).contains("networkpolicy/x/deny-all-ingress created");
        assertThat(lab.check("get", "networkpolicies").stdout()).contains("deny-all-ingress");
        Reachability r = allowAll().expectAllIngress(XA, false).expectAllIngress(XB, false).expectAllIngress(XC, false);
        expectTcp80(r);
        // The user's probe shows the same matrix as the suite's.
        JsonNode json = Serialization.jsonMapper().readTree(lab.check("probe", "--port", "80", "--protocol", "tcp",
                "-o", "json", "--timeout", "1000").stdout().strip());
        Reachability shown = allowAll();
        for (JsonNode result : json.path("results")) {
            shown.expect(result.path("from").asString(), result.path("to").asString(), result.path("ok").asBoolean());
        }
        assertThat(json.path("results")).hasSize(72);
        assertThat(r.mismatches(shown)).as("lab probe vs expected").isEmpty();
        assertThat(lab.check("delete", "-f", file.toString()).stdout())
                .contains("networkpolicy/x/deny-all-ingress deleted");
        expectTcp80(allowAll());
    }
}
