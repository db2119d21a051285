package io.trellis.iptables.service;

import static io.trellis.iptables.service.Fixtures.endpoint;
import static io.trellis.iptables.service.Fixtures.ip;
import static io.trellis.iptables.service.Fixtures.nodePort;
import static io.trellis.iptables.service.Fixtures.port;
import static io.trellis.iptables.service.Fixtures.ready;
import static io.trellis.iptables.service.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.iptables.service.ServiceRules.UdpPort;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServiceRef;
import io.trellis.spi.service.TrafficPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ServiceRuleGeneratorTest {

    private static final ServiceRef WEB = new ServiceRef("default", "web");
    private final ServiceRuleGenerator generator = Fixtures.generator();

    private static String svc(String port, Protocol p) {
        return ChainNames.svc(WEB, port, p);
    }

    private static String sep(String port, Protocol p, String endpoint) {
        return ChainNames.sep(WEB, port, p, endpoint);
    }

    private static Service threeEndpoints() {
        return service("web", "10.96.0.10", List.of(port("", Protocol.TCP, 80)), List.of(
                ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080),
                ready("10.244.2.7", "node-b", "", Protocol.TCP, 8080),
                ready("10.244.1.6", "node-a", "", Protocol.TCP, 8080)));
    }

    @Test
    void clusterIpPicksEndpointsWithDecreasingProbabilitiesTheLastUnconditionally() {
        ServiceRules rules = generator.rulesFor(threeEndpoints());

        String svc = svc("", Protocol.TCP);
        String sep5 = sep("", Protocol.TCP, "10.244.1.5:8080");
        String sep6 = sep("", Protocol.TCP, "10.244.1.6:8080");
        String sep7 = sep("", Protocol.TCP, "10.244.2.7:8080");
        assertThat(rules.natServices()).containsExactly(
                "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp --dport 80 -j " + svc);
        assertThat(rules.natChains().get(svc)).containsExactly(
                "! -s 10.244.1.0/24 -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp"
                        + " --dport 80 -j TRELLIS-MARK-MASQ",
                "-m comment --comment \"default/web -> 10.244.1.5:8080\" -m statistic --mode random --probability"
                        + " 0.33333333349 -j " + sep5,
                "-m comment --comment \"default/web -> 10.244.1.6:8080\" -m statistic --mode random --probability"
                        + " 0.50000000000 -j " + sep6,
                "-m comment --comment \"default/web -> 10.244.2.7:8080\" -j " + sep7);
        assertThat(rules.natChains().get(sep5)).containsExactly(
                "-s 10.244.1.5/32 -m comment --comment \"default/web\" -j TRELLIS-MARK-MASQ",
                "-p tcp -m comment --comment \"default/web\" -j DNAT --to-destination 10.244.1.5:8080");
        assertThat(rules.natChains().keySet()).containsExactlyInAnyOrder(svc, sep5, sep6, sep7);
        assertThat(rules.natNodePorts()).isEmpty();
        assertThat(rules.filterServices()).isEmpty();
        assertThat(rules.filterExternal()).isEmpty();
    }

    @Test
    void probabilitiesAreWhatIptablesSavePrintsForOneOverRemaining() {
        // The statistic match stores round(p * 2^31) and prints it back with 11 decimals.
        assertThat(ServiceRuleGenerator.probability(2)).isEqualTo("0.50000000000");
        assertThat(ServiceRuleGenerator.probability(3)).isEqualTo("0.33333333349");
        assertThat(ServiceRuleGenerator.probability(4)).isEqualTo("0.25000000000");
        assertThat(ServiceRuleGenerator.probability(10)).isEqualTo("0.10000000009");
    }

    @Test
    void endpointOrderInTheSliceDoesNotChangeTheRules() {
        Service s = threeEndpoints();
        List<ServiceEndpoint> shuffled = new ArrayList<>(s.endpoints());
        Collections.reverse(shuffled);
        Service reordered = service("web", "10.96.0.10", s.ports(), shuffled);

        assertThat(generator.rulesFor(reordered)).isEqualTo(generator.rulesFor(s));
    }

    @Test
    void clientIpAffinityChecksRecentListsFirstAndRecordsTheClientInTheEndpointChain() {
        Service s = new Service(WEB, List.of(ip("10.96.0.10")), List.of(port("", Protocol.TCP, 80)),
                List.of(ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080),
                        ready("10.244.1.6", "node-a", "", Protocol.TCP, 8080)),
                Optional.of(new ClientIpAffinity(600)));
        ServiceRules rules = generator.rulesFor(s);

        String sep5 = sep("", Protocol.TCP, "10.244.1.5:8080");
        String sep6 = sep("", Protocol.TCP, "10.244.1.6:8080");
        assertThat(rules.natChains().get(svc("", Protocol.TCP))).containsExactly(
                "! -s 10.244.1.0/24 -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp"
                        + " --dport 80 -j TRELLIS-MARK-MASQ",
                "-m comment --comment \"default/web -> 10.244.1.5:8080\" -m recent --rcheck --seconds 600 --reap --name "
                        + sep5 + " --mask 255.255.255.255 --rsource -j " + sep5,
                "-m comment --comment \"default/web -> 10.244.1.6:8080\" -m recent --rcheck --seconds 600 --reap --name "
                        + sep6 + " --mask 255.255.255.255 --rsource -j " + sep6,
                "-m comment --comment \"default/web -> 10.244.1.5:8080\" -m statistic --mode random --probability"
                        + " 0.50000000000 -j " + sep5,
                "-m comment --comment \"default/web -> 10.244.1.6:8080\" -j " + sep6);
        assertThat(rules.natChains().get(sep6)).containsExactly(
                "-s 10.244.1.6/32 -m comment --comment \"default/web\" -j TRELLIS-MARK-MASQ",
                "-p tcp -m comment --comment \"default/web\" -m recent --set --name " + sep6
                        + " --mask 255.255.255.255 --rsource -j DNAT --to-destination 10.244.1.6:8080");
    }

    @Test
    void noEndpointsRejectsTcpWithResetAndUdpWithIcmpAndLeavesNatAlone() {
        Service s = service("web", "10.96.0.10", List.of(port("http", Protocol.TCP, 80), port("dns", Protocol.UDP, 53),
                port("assoc", Protocol.SCTP, 9)), List.of());
        ServiceRules rules = generator.rulesFor(s);

        assertThat(rules.filterServices()).containsExactly(
                "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web:http has no endpoints\" -m tcp --dport 80"
                        + " -j REJECT --reject-with tcp-reset",
                "-d 10.96.0.10/32 -p udp -m comment --comment \"default/web:dns has no endpoints\" -m udp --dport 53"
                        + " -j REJECT --reject-with icmp-port-unreachable",
                "-d 10.96.0.10/32 -p sctp -m comment --comment \"default/web:assoc has no endpoints\" -m sctp --dport 9"
                        + " -j REJECT --reject-with icmp-port-unreachable");
        assertThat(rules.natServices()).isEmpty();
        assertThat(rules.natChains()).isEmpty();
    }

    @Test
    void severalPortsEachGetTheirOwnChainsWithPerEndpointTargetPorts() {
        Service s = service("web", "10.96.0.10", List.of(port("http", Protocol.TCP, 80), port("dns", Protocol.UDP, 53)),
                List.of(endpoint("10.244.1.5", "node-a", List.of(new EndpointPort("http", Protocol.TCP, 8080),
                                new EndpointPort("dns", Protocol.UDP, 5353)), true, true, false),
                        // Serves http only, on another port: not an endpoint of dns.
                        endpoint("10.244.1.6", "node-a", List.of(new EndpointPort("http", Protocol.TCP, 9090)), true,
                                true, false)));
        ServiceRules rules = generator.rulesFor(s);

        assertThat(rules.natServices()).containsExactly(
                "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j "
                        + svc("http", Protocol.TCP),
                "-d 10.96.0.10/32 -p udp -m comment --comment \"default/web:dns cluster IP\" -m udp --dport 53 -j "
                        + svc("dns", Protocol.UDP));
        assertThat(rules.natChains().get(sep("http", Protocol.TCP, "10.244.1.6:9090"))).last()
                .isEqualTo("-p tcp -m comment --comment \"default/web:http\" -j DNAT --to-destination 10.244.1.6:9090");
        assertThat(rules.natChains().get(svc("dns", Protocol.UDP))).containsExactly(
                "! -s 10.244.1.0/24 -d 10.96.0.10/32 -p udp -m comment --comment \"default/web:dns cluster IP\" -m udp"
                        + " --dport 53 -j TRELLIS-MARK-MASQ",
                "-m comment --comment \"default/web:dns -> 10.244.1.5:5353\" -j " + sep("dns", Protocol.UDP, "10.244.1.5:5353"));
        assertThat(rules.udpPorts()).containsExactly(
                new UdpPort("dns", List.of("10.96.0.10"), 53, OptionalInt.empty(), java.util.Set.of("10.244.1.5:5353")));
    }

    @Test
    void servingTerminatingEndpointsAreUsedOnlyWhileNoneIsReady() {
        List<EndpointPort> ports = List.of(new EndpointPort("", Protocol.TCP, 8080));
        ServiceEndpoint terminating = endpoint("10.244.1.5", "node-a", ports, false, true, true);
        ServiceEndpoint notServing = endpoint("10.244.1.6", "node-a", ports, false, false, true);
        ServiceEndpoint readyOne = endpoint("10.244.1.7", "node-a", ports, true, true, false);

        ServiceRules onlyTerminating = generator.rulesFor(service("web", "10.96.0.10", List.of(port("", Protocol.TCP, 80)),
                List.of(terminating, notServing)));
        assertThat(onlyTerminating.natChains().keySet()).containsExactlyInAnyOrder(svc("", Protocol.TCP),
                sep("", Protocol.TCP, "10.244.1.5:8080"));

        ServiceRules withReady = generator.rulesFor(service("web", "10.96.0.10", List.of(port("", Protocol.TCP, 80)),
                List.of(terminating, notServing, readyOne)));
        assertThat(withReady.natChains().keySet()).containsExactlyInAnyOrder(svc("", Protocol.TCP),
                sep("", Protocol.TCP, "10.244.1.7:8080"));

        ServiceRules none = generator.rulesFor(service("web", "10.96.0.10", List.of(port("", Protocol.TCP, 80)),
                List.of(notServing)));
        assertThat(none.natChains()).isEmpty();
        assertThat(none.filterServices()).hasSize(1);
    }

    @Test
    void nodePortWithClusterPolicyMasqueradesAndUsesEveryEndpoint() {
        Service s = service("web", "10.96.0.10", List.of(nodePort("", Protocol.TCP, 80, 30080)),
                List.of(ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080),
                        ready("10.244.2.7", "node-b", "", Protocol.TCP, 8080)));
        ServiceRules rules = generator.rulesFor(s);

        String ext = ChainNames.ext(WEB, "", Protocol.TCP);
        assertThat(rules.natNodePorts()).containsExactly(
                "-p tcp -m comment --comment \"default/web\" -m tcp --dport 30080 -j " + ext);
        assertThat(rules.natChains().get(ext)).containsExactly(
                "-m comment --comment \"masquerade traffic for default/web external destinations\" -j TRELLIS-MARK-MASQ",
                "-j " + svc("", Protocol.TCP));
        assertThat(rules.natChains()).doesNotContainKey(ChainNames.svl(WEB, "", Protocol.TCP));
    }

    @Test
    void nodePortWithLocalPolicyKeepsOutsideClientsOnLocalEndpoints() {
        Service s = service("web", "10.96.0.10", List.of(nodePort("", Protocol.TCP, 80, 30080)),
                List.of(ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080),
                        ready("10.244.2.7", "node-b", "", Protocol.TCP, 8080)))
                .withExternalAccess(List.of(), List.of(), TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER);
        ServiceRules rules = generator.rulesFor(s);

        String ext = ChainNames.ext(WEB, "", Protocol.TCP);
        String svl = ChainNames.svl(WEB, "", Protocol.TCP);
        String svc = svc("", Protocol.TCP);
        assertThat(rules.natChains().get(ext)).containsExactly(
                "-s 10.244.1.0/24 -m comment --comment \"pod traffic for default/web external destinations redirected to"
                        + " the cluster\" -j " + svc,
                "-m comment --comment \"masquerade LOCAL traffic for default/web external destinations\" -m addrtype"
                        + " --src-type LOCAL -j TRELLIS-MARK-MASQ",
                "-m comment --comment \"route LOCAL traffic for default/web external destinations to the cluster\" -m"
                        + " addrtype --src-type LOCAL -j " + svc,
                "-j " + svl);
        // Only node-a's endpoint, no masquerade: the client's address is kept.
        assertThat(rules.natChains().get(svl)).containsExactly(
                "-m comment --comment \"default/web -> 10.244.1.5:8080\" -j " + sep("", Protocol.TCP, "10.244.1.5:8080"));
        // The cluster IP still reaches both endpoints.
        assertThat(rules.natServices()).containsExactly(
                "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp --dport 80 -j " + svc);
        assertThat(rules.filterExternal()).isEmpty();
    }

    @Test
    void nodePortWithLocalPolicyAndNoLocalEndpointDropsOutsideClients() {
        Service s = service("web", "10.96.0.10", List.of(nodePort("", Protocol.UDP, 53, 30053)),
                List.of(ready("10.244.2.7", "node-b", "", Protocol.UDP, 5353)))
                .withExternalAccess(List.of(), List.of(ip("198.51.100.7")), TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER);
        ServiceRules rules = generator.rulesFor(s);

        String ext = ChainNames.ext(WEB, "", Protocol.UDP);
        assertThat(rules.natChains().get(ext)).hasSize(3).noneMatch(r -> r.contains(ChainNames.SVL));
        assertThat(rules.filterExternal()).containsExactly(
                "-d 198.51.100.7/32 -p udp -m comment --comment \"default/web has no local endpoints\" -m udp --dport 53"
                        + " -j DROP",
                "-p udp -m comment --comment \"default/web has no local endpoints\" -m addrtype --dst-type LOCAL -m udp"
                        + " --dport 30053 -j DROP");
        assertThat(rules.natServices()).contains(
                "-d 198.51.100.7/32 -p udp -m comment --comment \"default/web loadbalancer IP\" -m udp --dport 53 -j " + ext);
    }

    @Test
    void externalIpsWithoutEndpointsAreRejectedInTheExternalChain() {
        Service s = service("web", "10.96.0.10", List.of(nodePort("", Protocol.TCP, 80, 30080)), List.of())
                .withExternalAccess(List.of(ip("192.0.2.10")), List.of(), TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER);
        ServiceRules rules = generator.rulesFor(s);

        assertThat(rules.filterExternal()).containsExactly(
                "-d 192.0.2.10/32 -p tcp -m comment --comment \"default/web has no endpoints\" -m tcp --dport 80 -j REJECT"
                        + " --reject-with tcp-reset",
                "-p tcp -m comment --comment \"default/web has no endpoints\" -m addrtype --dst-type LOCAL -m tcp --dport"
                        + " 30080 -j REJECT --reject-with tcp-reset");
        assertThat(rules.natServices()).isEmpty();
        assertThat(rules.natNodePorts()).isEmpty();
    }

    @Test
    void externalAndLoadBalancerIpsGoThroughTheExternalChain() {
        Service s = service("web", "10.96.0.10", List.of(port("", Protocol.TCP, 80)),
                List.of(ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080)))
                .withExternalAccess(List.of(ip("192.0.2.10")), List.of(ip("198.51.100.7")), TrafficPolicy.CLUSTER,
                        TrafficPolicy.CLUSTER);
        ServiceRules rules = generator.rulesFor(s);

        String ext = ChainNames.ext(WEB, "", Protocol.TCP);
        assertThat(rules.natServices()).containsExactly(
                "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp --dport 80 -j "
                        + svc("", Protocol.TCP),
                "-d 192.0.2.10/32 -p tcp -m comment --comment \"default/web external IP\" -m tcp --dport 80 -j " + ext,
                "-d 198.51.100.7/32 -p tcp -m comment --comment \"default/web loadbalancer IP\" -m tcp --dport 80 -j " + ext);
    }

    @Test
    void internalTrafficPolicyLocalSendsTheClusterIpToLocalEndpointsAndDropsWithoutThem() {
        Service s = threeEndpoints().withExternalAccess(List.of(), List.of(), TrafficPolicy.CLUSTER, TrafficPolicy.LOCAL);
        ServiceRules rules = generator.rulesFor(s);

        String svl = ChainNames.svl(WEB, "", Protocol.TCP);
        assertThat(rules.natServices()).containsExactly(
                "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp --dport 80 -j " + svl);
        assertThat(rules.natChains().get(svl)).containsExactly(
                "! -s 10.244.1.0/24 -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp"
                        + " --dport 80 -j TRELLIS-MARK-MASQ",
                "-m comment --comment \"default/web -> 10.244.1.5:8080\" -m statistic --mode random --probability"
                        + " 0.50000000000 -j " + sep("", Protocol.TCP, "10.244.1.5:8080"),
                "-m comment --comment \"default/web -> 10.244.1.6:8080\" -j " + sep("", Protocol.TCP, "10.244.1.6:8080"));
        assertThat(rules.natChains()).doesNotContainKey(svc("", Protocol.TCP));

        Service remoteOnly = service("web", "10.96.0.10", List.of(port("", Protocol.TCP, 80)),
                List.of(ready("10.244.2.7", "node-b", "", Protocol.TCP, 8080)))
                .withExternalAccess(List.of(), List.of(), TrafficPolicy.CLUSTER, TrafficPolicy.LOCAL);
        assertThat(generator.rulesFor(remoteOnly).filterServices()).containsExactly(
                "-d 10.96.0.10/32 -p tcp -m comment --comment \"default/web has no local endpoints\" -m tcp --dport 80"
                        + " -j DROP");
    }

    @Test
    void ipv6AddressesAreLeftOut() {
        Service s = new Service(WEB, List.of(ip("fd00::10"), ip("10.96.0.10")), List.of(port("", Protocol.TCP, 80)),
                List.of(ready("fd00:244::5", "node-a", "", Protocol.TCP, 8080),
                        ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080)));
        ServiceRules rules = generator.rulesFor(s);

        assertThat(String.join("\n", rules.natServices()) + rules.natChains()).doesNotContain("fd00");
        assertThat(rules.natChains()).hasSize(2);
    }

    @Test
    void fixedChainsUseTheConfiguredMasqueradeBit() {
        ServiceRuleGenerator other = new ServiceRuleGenerator(new ProxyNode("node-a", Fixtures.POD_CIDR, new ProxySettings(5)));

        assertThat(other.fixedRules().get(ChainNames.NAT).get(ChainNames.MARK_MASQ))
                .containsExactly("-j MARK --set-xmark 0x20/0x20");
        assertThat(other.fixedRules().get(ChainNames.NAT).get(ChainNames.POSTROUTING)).containsExactly(
                "-m mark ! --mark 0x20/0x20 -j RETURN",
                "-j MARK --set-xmark 0x0/0x20",
                "-m comment --comment \"trellis service traffic requiring SNAT\" -j MASQUERADE --random-fully");
    }
}
