package io.trellis.spi.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ServiceExternalAccessTest {

    private static final ServiceRef REF = new ServiceRef("x", "web");
    private static final ServicePort HTTP = new ServicePort("http", Protocol.TCP, 80, OptionalInt.of(30080));

    @Test
    void olderConstructorsMeanNoExternalIpsAndClusterPolicies() throws Exception {
        Service plain = new Service(REF, List.of(InetAddress.getByName("10.96.0.10")), List.of(HTTP), List.of());
        assertThat(plain.externalIps()).isEmpty();
        assertThat(plain.loadBalancerIps()).isEmpty();
        assertThat(plain.externalTrafficPolicy()).isEqualTo(TrafficPolicy.CLUSTER);
        assertThat(plain.internalTrafficPolicy()).isEqualTo(TrafficPolicy.CLUSTER);
    }

    @Test
    void externalAccessIsPartOfTheValueAndCopied() throws Exception {
        Service plain = new Service(REF, List.of(InetAddress.getByName("10.96.0.10")), List.of(HTTP), List.of(),
                Optional.empty());
        List<InetAddress> external = new ArrayList<>(List.of(InetAddress.getByName("192.0.2.10")));
        Service open = plain.withExternalAccess(external, List.of(InetAddress.getByName("198.51.100.7")),
                TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER);
        external.clear();

        assertThat(open.externalIps()).containsExactly(InetAddress.getByName("192.0.2.10"));
        assertThat(open.loadBalancerIps()).containsExactly(InetAddress.getByName("198.51.100.7"));
        assertThat(open).isNotEqualTo(plain);
        assertThat(open.withExternalAccess(List.of(), List.of(), TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER))
                .isEqualTo(plain);
        assertThat(plain.withExternalAccess(List.of(), List.of(), TrafficPolicy.CLUSTER, TrafficPolicy.LOCAL))
                .isNotEqualTo(plain);
    }
}
