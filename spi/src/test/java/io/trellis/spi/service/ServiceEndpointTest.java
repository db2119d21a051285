package io.trellis.spi.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceEndpointTest {

    private static final List<EndpointPort> HTTP = List.of(new EndpointPort("http", Protocol.TCP, 8080));

    @Test
    void theShortConstructorMeansNotTerminatingAndServingWhenReady() throws Exception {
        InetAddress ip = InetAddress.getByName("10.244.1.5");
        ServiceEndpoint ready = new ServiceEndpoint(ip, HTTP, true, Optional.empty());
        ServiceEndpoint unready = new ServiceEndpoint(ip, HTTP, false, Optional.empty());

        assertThat(ready).isEqualTo(new ServiceEndpoint(ip, HTTP, true, true, false, Optional.empty()));
        assertThat(unready).isEqualTo(new ServiceEndpoint(ip, HTTP, false, false, false, Optional.empty()));
        assertThat(ready.servingTerminating()).isFalse();
    }

    @Test
    void servingTerminatingNeedsBothConditions() throws Exception {
        InetAddress ip = InetAddress.getByName("10.244.1.5");
        assertThat(new ServiceEndpoint(ip, HTTP, false, true, true, Optional.empty()).servingTerminating()).isTrue();
        assertThat(new ServiceEndpoint(ip, HTTP, false, false, true, Optional.empty()).servingTerminating()).isFalse();
        assertThat(new ServiceEndpoint(ip, HTTP, false, true, false, Optional.empty()).servingTerminating()).isFalse();
    }
}
