package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DesiredServiceAffinityTest {

    private static final ServiceRef REF = new ServiceRef("default", "web");

    @Test
    void theAffinityTimeoutIsPartOfTheDesiredStateSoAChangeIsInstalled() throws Exception {
        DesiredService none = DesiredService.of(service(Optional.empty()));
        DesiredService sticky = DesiredService.of(service(Optional.of(new ClientIpAffinity(30))));
        DesiredService longer = DesiredService.of(service(Optional.of(new ClientIpAffinity(60))));
        assertThat(none.affinityTimeoutSeconds()).isZero();
        assertThat(sticky.affinityTimeoutSeconds()).isEqualTo(30);
        assertThat(sticky.frontends()).isEqualTo(none.frontends());
        assertThat(sticky).isNotEqualTo(none).isNotEqualTo(longer)
                .isEqualTo(DesiredService.of(service(Optional.of(new ClientIpAffinity(30)))));
    }

    private static Service service(Optional<ClientIpAffinity> affinity) throws Exception {
        return new Service(REF, List.of(InetAddress.getByName("10.96.0.10")),
                List.of(new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty())),
                List.of(new ServiceEndpoint(InetAddress.getByName("10.20.0.11"),
                        List.of(new EndpointPort("http", Protocol.TCP, 8080)), true, Optional.empty())),
                affinity);
    }
}
