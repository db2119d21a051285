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

/** kube-proxy's endpoint choice: ready ones, else serving-and-terminating ones, decided per Service port. */
class DesiredServiceTerminatingTest {

    private static final ServiceRef REF = new ServiceRef("default", "web");
    private static final ServicePort HTTP = new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty());
    private static final ServicePort DNS = new ServicePort("dns", Protocol.UDP, 53, OptionalInt.empty());
    private static final ServiceFrontend HTTP_FE = ServiceFrontend.of("10.96.0.10", ServiceFrontend.TCP, 80);
    private static final ServiceFrontend DNS_FE = ServiceFrontend.of("10.96.0.10", ServiceFrontend.UDP, 53);
    private static final EndpointPort EP_HTTP = new EndpointPort("http", Protocol.TCP, 8080);
    private static final EndpointPort EP_DNS = new EndpointPort("dns", Protocol.UDP, 5353);

    @Test
    void readyEndpointsWinOverTerminatingOnes() {
        Service service = service(
                endpoint("10.20.0.11", true, true, false, EP_HTTP),
                endpoint("10.20.0.12", false, true, true, EP_HTTP));
        assertThat(DesiredService.of(service).frontends().get(HTTP_FE))
                .containsExactly(ServiceBackend.of("10.20.0.11", 8080));
    }

    @Test
    void withoutReadyEndpointsServingTerminatingOnesAreUsedPerPort() {
        Service service = service(
                // HTTP: nothing ready, one serving+terminating, one terminating and not serving, one just unready.
                endpoint("10.20.0.11", false, true, true, EP_HTTP),
                endpoint("10.20.0.12", false, false, true, EP_HTTP),
                endpoint("10.20.0.13", false, false, false, EP_HTTP),
                // DNS: one ready endpoint, so its terminating one is not used.
                endpoint("10.20.0.14", true, true, false, EP_DNS),
                endpoint("10.20.0.15", false, true, true, EP_DNS));
        assertThat(DesiredService.of(service).frontends()).containsExactly(
                Map.entry(HTTP_FE, List.of(ServiceBackend.of("10.20.0.11", 8080))),
                Map.entry(DNS_FE, List.of(ServiceBackend.of("10.20.0.14", 5353))));
    }

    @Test
    void terminatingButNotServingEndpointsAloneLeaveTheFrontendEmpty() {
        Service service = service(endpoint("10.20.0.12", false, false, true, EP_HTTP, EP_DNS));
        assertThat(DesiredService.of(service).frontends()).containsExactly(
                Map.entry(HTTP_FE, List.of()), Map.entry(DNS_FE, List.of()));
    }

    private static Service service(ServiceEndpoint... endpoints) {
        return new Service(REF, List.of(ip("10.96.0.10")), List.of(HTTP, DNS), List.of(endpoints));
    }

    private static ServiceEndpoint endpoint(String address, boolean ready, boolean serving, boolean terminating,
            EndpointPort... ports) {
        return new ServiceEndpoint(ip(address), List.of(ports), ready, serving, terminating, Optional.empty());
    }

    private static InetAddress ip(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
