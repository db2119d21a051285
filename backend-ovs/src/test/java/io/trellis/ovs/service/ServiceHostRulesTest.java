package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.service.ServiceHostRules.GatewayRoute;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import io.trellis.spi.service.TrafficPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ServiceHostRulesTest {

    private final ServiceHostRules rules = new ServiceHostRules("trellis-gw0");

    private static DesiredService web(String name, int nodePort, TrafficPolicy external, String... externalIps) {
        List<InetAddress> ips = java.util.Arrays.stream(externalIps).map(ServiceHostRulesTest::ip).toList();
        Service service = new Service(new ServiceRef("default", name), List.of(ip("10.96.0.10")),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.of(nodePort))),
                List.of(new ServiceEndpoint(ip("10.20.0.11"), List.of(new EndpointPort("http", Protocol.TCP, 8080)),
                        true, Optional.of("node-a"))),
                Optional.empty(), ips, List.of(), external, TrafficPolicy.CLUSTER);
        return DesiredService.of(service, Optional.of("node-a"));
    }

    @Test
    void natRulesDnatNodePortsAndMasqueradeClusterPolicyOnly() {
        String input = rules.natRestoreInput(List.of(web("web", 30080, TrafficPolicy.CLUSTER, "192.0.2.10"),
                web("local", 30081, TrafficPolicy.LOCAL, "192.0.2.11")));
        assertThat(input).isEqualTo("""
                *nat
                :TRELLIS-SERVICES - [0:0]
                :TRELLIS-SVC-MASQ - [0:0]
                -A TRELLIS-SVC-MASQ -o trellis-gw0 -d 169.254.0.253/32 -j MASQUERADE
                -A TRELLIS-SVC-MASQ -o trellis-gw0 -d 192.0.2.10/32 -p tcp --dport 80 -m comment --comment \
                "default/web" -j MASQUERADE
                -A TRELLIS-SERVICES ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -p tcp --dport 30080 -m comment \
                --comment "default/web" -j DNAT --to-destination 169.254.0.253
                -A TRELLIS-SERVICES ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -p tcp --dport 30081 -m comment \
                --comment "default/local" -j DNAT --to-destination 169.254.0.254
                COMMIT
                """);
    }

    @Test
    void routesSendNodePortAddressesExternalAndClusterIpsIntoTheGateway() {
        Optional<java.net.Inet4Address> via = Optional.of(ServiceFlows.NODE_PORT_CLUSTER_IP);
        assertThat(rules.routes(List.of(web("web", 30080, TrafficPolicy.CLUSTER, "192.0.2.10"),
                web("local", 30081, TrafficPolicy.LOCAL, "192.0.2.10")))).containsExactly(
                new GatewayRoute(ServiceFlows.NODE_PORT_CLUSTER_IP, Optional.empty()),
                new GatewayRoute(ServiceFlows.NODE_PORT_LOCAL_IP, Optional.empty()),
                // one route per address, however many Services use it
                new GatewayRoute(ip4("192.0.2.10"), via),
                new GatewayRoute(ip4("10.96.0.10"), via));
        assertThat(rules.gatewayNeighbours()).containsExactly(ServiceFlows.NODE_PORT_CLUSTER_IP,
                ServiceFlows.NODE_PORT_LOCAL_IP);
    }

    @Test
    void filterRulesAcceptForwardedServiceTrafficBothWays() {
        assertThat(rules.filterRestoreInput(List.of(web("web", 30080, TrafficPolicy.CLUSTER, "192.0.2.10"))))
                .isEqualTo("""
                        *filter
                        :TRELLIS-SVC-FWD - [0:0]
                        -A TRELLIS-SVC-FWD -o trellis-gw0 -d 169.254.0.253/32 -j ACCEPT
                        -A TRELLIS-SVC-FWD -i trellis-gw0 -s 169.254.0.253/32 -j ACCEPT
                        -A TRELLIS-SVC-FWD -o trellis-gw0 -d 169.254.0.254/32 -j ACCEPT
                        -A TRELLIS-SVC-FWD -i trellis-gw0 -s 169.254.0.254/32 -j ACCEPT
                        -A TRELLIS-SVC-FWD -o trellis-gw0 -d 192.0.2.10/32 -j ACCEPT
                        -A TRELLIS-SVC-FWD -i trellis-gw0 -s 192.0.2.10/32 -j ACCEPT
                        COMMIT
                        """);
        assertThat(rules.jumps()).extracting(j -> j.table() + " " + j.from() + " " + j.spec()).containsExactly(
                "nat PREROUTING -j TRELLIS-SERVICES", "nat OUTPUT -j TRELLIS-SERVICES",
                "nat POSTROUTING -j TRELLIS-SVC-MASQ", "filter FORWARD -j TRELLIS-SVC-FWD");
    }

    @Test
    void rejectsAnInterfaceNameIptablesCouldMisread() {
        assertThatThrownBy(() -> new ServiceHostRules("gw0 -j ACCEPT")).hasMessageContaining("gw0 -j ACCEPT");
    }

    private static java.net.Inet4Address ip4(String text) {
        return (java.net.Inet4Address) ip(text);
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
