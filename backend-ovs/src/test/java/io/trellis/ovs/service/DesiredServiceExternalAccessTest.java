package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.ServiceBackend;
import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.pipeline.ServiceFrontend;
import io.trellis.ovs.pipeline.ServiceFrontend.Scope;
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
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Node ports, external and load-balancer IPs and the traffic policies as frontends and backends. */
class DesiredServiceExternalAccessTest {

    private static final ServiceRef REF = new ServiceRef("default", "web");
    private static final ServicePort HTTP = new ServicePort("http", Protocol.TCP, 80, OptionalInt.of(30080));
    private static final EndpointPort EP_HTTP = new EndpointPort("http", Protocol.TCP, 8080);
    private static final Optional<String> NODE = Optional.of("node-a");
    private static final ServiceBackend HERE = ServiceBackend.of("10.20.0.11", 8080);
    private static final ServiceBackend HERE_TERMINATING = ServiceBackend.of("10.20.0.12", 8080);
    private static final ServiceBackend THERE = ServiceBackend.of("10.30.0.5", 8080);

    private static ServiceFrontend fe(String ip, int port, Scope scope) {
        return new ServiceFrontend(Ipv4Subnet.parseAddress(ip), ServiceFrontend.TCP, port, scope);
    }

    @Test
    void clusterPoliciesGiveEveryFrontendEveryEndpoint() {
        Service service = service(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER);
        assertThat(DesiredService.of(service, NODE).frontends()).containsExactly(
                Map.entry(fe("10.96.0.10", 80, Scope.CLUSTER_IP), List.of(HERE, THERE)),
                Map.entry(fe("192.0.2.10", 80, Scope.EXTERNAL), List.of(HERE, THERE)),
                Map.entry(fe("198.51.100.7", 80, Scope.EXTERNAL), List.of(HERE, THERE)),
                Map.entry(fe(ServiceFlows.NODE_PORT_CLUSTER_IP.getHostAddress(), 30080, Scope.EXTERNAL),
                        List.of(HERE, THERE)));
    }

    @Test
    void externalLocalKeepsOutsideClientsOnThisNodeAndPodsEverywhere() {
        Service service = service(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER);
        assertThat(DesiredService.of(service, NODE).frontends()).containsExactly(
                Map.entry(fe("10.96.0.10", 80, Scope.CLUSTER_IP), List.of(HERE, THERE)),
                Map.entry(fe("192.0.2.10", 80, Scope.EXTERNAL), List.of(HERE, THERE)),
                Map.entry(fe("192.0.2.10", 80, Scope.FROM_GATEWAY), List.of(HERE)),
                Map.entry(fe("198.51.100.7", 80, Scope.EXTERNAL), List.of(HERE, THERE)),
                Map.entry(fe("198.51.100.7", 80, Scope.FROM_GATEWAY), List.of(HERE)),
                Map.entry(fe(ServiceFlows.NODE_PORT_LOCAL_IP.getHostAddress(), 30080, Scope.EXTERNAL), List.of(HERE)));
        // On a node without endpoints the local frontends reject; an unknown node has none.
        assertThat(DesiredService.of(service, Optional.of("node-c")).frontends()
                .get(fe(ServiceFlows.NODE_PORT_LOCAL_IP.getHostAddress(), 30080, Scope.EXTERNAL))).isEmpty();
        assertThat(DesiredService.of(service).frontends()
                .get(fe("192.0.2.10", 80, Scope.FROM_GATEWAY))).isEmpty();
    }

    @Test
    void internalLocalLimitsTheClusterIpOnly() {
        Service service = service(TrafficPolicy.CLUSTER, TrafficPolicy.LOCAL);
        Map<ServiceFrontend, List<ServiceBackend>> frontends = DesiredService.of(service, NODE).frontends();
        assertThat(frontends.get(fe("10.96.0.10", 80, Scope.CLUSTER_IP))).containsExactly(HERE);
        assertThat(frontends.get(fe("192.0.2.10", 80, Scope.EXTERNAL))).containsExactly(HERE, THERE);
        assertThat(frontends.get(fe(ServiceFlows.NODE_PORT_CLUSTER_IP.getHostAddress(), 30080, Scope.EXTERNAL)))
                .containsExactly(HERE, THERE);
    }

    @Test
    void theTerminatingFallbackIsDecidedAmongLocalEndpoints() {
        // This node's only endpoint is terminating; another node has a ready one.
        Service service = new Service(REF, List.of(ip("10.96.0.10")), List.of(HTTP), List.of(
                new ServiceEndpoint(ip("10.20.0.12"), List.of(EP_HTTP), false, true, true, NODE),
                new ServiceEndpoint(ip("10.30.0.5"), List.of(EP_HTTP), true, Optional.of("node-b"))),
                Optional.empty(), List.of(), List.of(), TrafficPolicy.LOCAL, TrafficPolicy.LOCAL);
        Map<ServiceFrontend, List<ServiceBackend>> frontends = DesiredService.of(service, NODE).frontends();
        assertThat(frontends.get(fe("10.96.0.10", 80, Scope.CLUSTER_IP))).containsExactly(HERE_TERMINATING);
        assertThat(frontends.get(fe(ServiceFlows.NODE_PORT_LOCAL_IP.getHostAddress(), 30080, Scope.EXTERNAL)))
                .containsExactly(HERE_TERMINATING);
    }

    private static Service service(TrafficPolicy external, TrafficPolicy internal) {
        return new Service(REF, List.of(ip("10.96.0.10")), List.of(HTTP), List.of(
                new ServiceEndpoint(ip("10.20.0.11"), List.of(EP_HTTP), true, NODE),
                new ServiceEndpoint(ip("10.30.0.5"), List.of(EP_HTTP), true, Optional.of("node-b")),
                // not ready, not serving: never used
                new ServiceEndpoint(ip("10.20.0.13"), List.of(EP_HTTP), false, NODE)),
                Optional.empty(), List.of(ip("192.0.2.10"), ip("fd00::10")),
                // the same address twice (external and load-balancer) is one frontend
                List.of(ip("198.51.100.7"), ip("192.0.2.10")), external, internal);
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
