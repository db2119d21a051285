package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.pipeline.ServiceBackend;
import io.trellis.ovs.pipeline.ServiceFrontend;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DesiredServiceTest {

    private static final ServiceRef REF = new ServiceRef("default", "web");
    private static final ServicePort HTTP = new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty());
    private static final ServicePort DNS = new ServicePort("dns", Protocol.UDP, 53, OptionalInt.empty());
    private static final ServicePort SIG = new ServicePort("sig", Protocol.SCTP, 3868, OptionalInt.empty());

    @Test
    void eachIpv4FrontendGetsTheReadyEndpointsServingItsNamedPort() {
        Service service = new Service(REF, List.of(ip("10.96.0.10"), ip("fd00::10")), List.of(HTTP, DNS, SIG), List.of(
                // named targetPort "http" resolved per endpoint: two endpoints serve it on different ports
                endpoint("10.20.0.12", true, new EndpointPort("http", Protocol.TCP, 8080),
                        new EndpointPort("dns", Protocol.UDP, 5353)),
                endpoint("10.20.0.11", true, new EndpointPort("http", Protocol.TCP, 8081)),
                endpoint("10.20.0.13", false, new EndpointPort("http", Protocol.TCP, 8080)),
                // same name, other protocol: does not serve the UDP port
                endpoint("10.20.0.14", true, new EndpointPort("dns", Protocol.TCP, 5353)),
                endpoint("fd00::14", true, new EndpointPort("http", Protocol.TCP, 8080))));

        DesiredService desired = DesiredService.of(service);

        assertThat(desired.ref()).isEqualTo(REF);
        assertThat(desired.frontends()).containsExactly(
                Map.entry(ServiceFrontend.of("10.96.0.10", ServiceFrontend.TCP, 80),
                        List.of(ServiceBackend.of("10.20.0.11", 8081), ServiceBackend.of("10.20.0.12", 8080))),
                Map.entry(ServiceFrontend.of("10.96.0.10", ServiceFrontend.UDP, 53),
                        List.of(ServiceBackend.of("10.20.0.12", 5353))));
        assertThat(DesiredService.unsupportedPorts(service)).containsExactly(SIG);
    }

    @Test
    void equalExactlyWhenTheSameFlowsAreNeeded() {
        Service a = new Service(REF, List.of(ip("10.96.0.10")), List.of(HTTP), List.of(
                endpoint("10.20.0.11", true, new EndpointPort("http", Protocol.TCP, 8080)),
                endpoint("10.20.0.12", true, new EndpointPort("http", Protocol.TCP, 8080))));
        // Endpoints in another order, plus one not ready and one on a node: same flows.
        Service reordered = new Service(REF, List.of(ip("10.96.0.10")), List.of(HTTP), List.of(
                endpoint("10.20.0.12", true, new EndpointPort("http", Protocol.TCP, 8080)),
                endpoint("10.20.0.13", false, new EndpointPort("http", Protocol.TCP, 8080)),
                new ServiceEndpoint(ip("10.20.0.11"), List.of(new EndpointPort("http", Protocol.TCP, 8080)), true,
                        Optional.of("node-1"))));
        Service otherPort = new Service(REF, List.of(ip("10.96.0.10")), List.of(HTTP), List.of(
                endpoint("10.20.0.11", true, new EndpointPort("http", Protocol.TCP, 8080)),
                endpoint("10.20.0.12", true, new EndpointPort("http", Protocol.TCP, 9090))));
        assertThat(DesiredService.of(reordered)).isEqualTo(DesiredService.of(a));
        assertThat(DesiredService.of(otherPort)).isNotEqualTo(DesiredService.of(a));
    }

    @Test
    void aServiceWithoutEndpointsKeepsItsFrontendsWithNoBackends() {
        Service empty = new Service(REF, List.of(ip("10.96.0.10")), List.of(HTTP), List.of());
        assertThat(DesiredService.of(empty).frontends())
                .containsExactly(Map.entry(ServiceFrontend.of("10.96.0.10", ServiceFrontend.TCP, 80), List.of()));
    }

    private static ServiceEndpoint endpoint(String address, boolean ready, EndpointPort... ports) {
        return new ServiceEndpoint(ip(address), List.of(ports), ready, Optional.empty());
    }

    private static InetAddress ip(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
