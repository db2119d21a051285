package io.trellis.spi.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ClientIpAffinityTest {

    private static final ServiceRef REF = new ServiceRef("x", "web");
    private static final ServicePort HTTP = new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty());

    @Test
    void aServiceCarriesItsAffinityAndHasNoneUnlessGiven() throws Exception {
        List<InetAddress> ip = List.of(InetAddress.getByName("10.96.0.10"));
        Service sticky = new Service(REF, ip, List.of(HTTP), List.of(), Optional.of(new ClientIpAffinity(30)));
        assertThat(sticky.clientIpAffinity()).contains(new ClientIpAffinity(30));
        assertThat(new Service(REF, ip, List.of(HTTP), List.of()).clientIpAffinity()).isEmpty();
        assertThat(sticky).isNotEqualTo(new Service(REF, ip, List.of(HTTP), List.of()));
    }

    @Test
    void timeoutsOutsideTheApiRangeAreRefused() {
        assertThat(new ClientIpAffinity(ClientIpAffinity.MAX_TIMEOUT_SECONDS).timeoutSeconds()).isEqualTo(86400);
        assertThatThrownBy(() -> new ClientIpAffinity(0))
                .hasMessage("sessionAffinityConfig.clientIP.timeoutSeconds must be 1..86400, got 0");
        assertThatThrownBy(() -> new ClientIpAffinity(86401)).hasMessageContaining("got 86401");
    }
}
