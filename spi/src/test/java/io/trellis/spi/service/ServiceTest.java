package io.trellis.spi.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ServiceTest {

    private static final ServiceRef REF = new ServiceRef("x", "web");
    private static final ServicePort HTTP = new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty());
    private static final ServicePort DNS = new ServicePort("dns", Protocol.UDP, 53, OptionalInt.of(30053));

    @Test
    void endpointsServeServicePortsMatchedByNameAndProtocol() throws Exception {
        ServiceEndpoint endpoint = new ServiceEndpoint(InetAddress.getByName("10.244.1.5"),
                List.of(new EndpointPort("http", Protocol.TCP, 8080), new EndpointPort("dns", Protocol.TCP, 5353)), true,
                Optional.of("node-a"));
        Service service = new Service(REF, List.of(InetAddress.getByName("10.96.0.10")), List.of(HTTP, DNS),
                List.of(endpoint));

        assertThat(service.endpoints().get(0).portFor(HTTP)).contains(new EndpointPort("http", Protocol.TCP, 8080));
        // Same name, other protocol: the endpoint does not serve the UDP port.
        assertThat(service.endpoints().get(0).portFor(DNS)).isEmpty();
    }

    @Test
    void rejectsWhatKubernetesWouldReject() throws Exception {
        List<InetAddress> ip = List.of(InetAddress.getByName("10.96.0.10"));
        assertThatThrownBy(() -> new Service(REF, List.of(), List.of(HTTP), List.of()))
                .hasMessage("service x/web has no cluster IP (headless services are not proxied)");
        assertThatThrownBy(() -> new Service(REF, ip, List.of(), List.of())).hasMessage("service x/web has no port");
        assertThatThrownBy(() -> new Service(REF, ip, List.of(HTTP,
                new ServicePort("alt", Protocol.TCP, 80, OptionalInt.empty())), List.of()))
                .hasMessage("service x/web: TCP port 80 is declared twice");
        assertThatThrownBy(() -> new Service(REF, ip, List.of(HTTP,
                new ServicePort("http", Protocol.UDP, 80, OptionalInt.empty())), List.of()))
                .hasMessage("service x/web: port name 'http' is used twice");
        assertThatThrownBy(() -> new Service(REF, ip, List.of(HTTP,
                new ServicePort("", Protocol.UDP, 81, OptionalInt.empty())), List.of()))
                .hasMessage("service x/web: every port needs a name when there are several");
        assertThatThrownBy(() -> new ServicePort("p", Protocol.TCP, 0, OptionalInt.empty()))
                .hasMessage("port must be 1..65535, got 0");
        assertThatThrownBy(() -> new ServicePort("p", Protocol.TCP, 80, OptionalInt.of(70000)))
                .hasMessage("nodePort must be 1..65535, got 70000");
    }
}
