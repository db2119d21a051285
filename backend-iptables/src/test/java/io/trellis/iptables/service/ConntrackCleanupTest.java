package io.trellis.iptables.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.iptables.service.ServiceRules.UdpPort;
import io.trellis.spi.service.ServiceRef;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConntrackCleanupTest {

    private static final ServiceRef DNS = new ServiceRef("kube-system", "dns");

    private static Map<ServiceRef, ServiceRules> dns(OptionalInt nodePort, String... endpoints) {
        return Map.of(DNS, new ServiceRules(DNS, Map.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(new UdpPort("dns", List.of("10.96.0.10", "192.0.2.10"), 53, nodePort, Set.of(endpoints)))));
    }

    @Test
    void aRemovedEndpointLosesItsEntriesBehindEveryFrontend() {
        List<List<String>> filters = ConntrackCleanup.filters(dns(OptionalInt.of(30053), "10.244.1.5:5353", "10.244.1.6:5353"),
                dns(OptionalInt.of(30053), "10.244.1.5:5353"));

        assertThat(filters).containsExactlyInAnyOrder(
                List.of("-p", "udp", "--orig-dst", "10.96.0.10", "--orig-port-dst", "53", "--reply-src", "10.244.1.6",
                        "--reply-port-src", "5353"),
                List.of("-p", "udp", "--orig-dst", "192.0.2.10", "--orig-port-dst", "53", "--reply-src", "10.244.1.6",
                        "--reply-port-src", "5353"),
                List.of("-p", "udp", "--orig-port-dst", "30053", "--dst-nat", "--reply-src", "10.244.1.6",
                        "--reply-port-src", "5353"));
    }

    @Test
    void aRemovedServiceOrLastEndpointFlushesItsFrontends() {
        List<List<String>> removed = ConntrackCleanup.filters(dns(OptionalInt.empty(), "10.244.1.5:5353"), Map.of());
        List<List<String>> emptied = ConntrackCleanup.filters(dns(OptionalInt.empty(), "10.244.1.5:5353"),
                dns(OptionalInt.empty()));

        List<List<String>> expected = List.of(List.of("-p", "udp", "--orig-dst", "10.96.0.10", "--orig-port-dst", "53"),
                List.of("-p", "udp", "--orig-dst", "192.0.2.10", "--orig-port-dst", "53"));
        assertThat(removed).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(emptied).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void addedEndpointsAndUnchangedServicesDeleteNothing() {
        assertThat(ConntrackCleanup.filters(dns(OptionalInt.empty(), "10.244.1.5:5353"),
                dns(OptionalInt.empty(), "10.244.1.5:5353", "10.244.1.6:5353"))).isEmpty();
        assertThat(ConntrackCleanup.filters(Map.of(), dns(OptionalInt.empty(), "10.244.1.5:5353"))).isEmpty();
    }
}
