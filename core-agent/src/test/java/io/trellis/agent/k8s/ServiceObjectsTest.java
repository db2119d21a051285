package io.trellis.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.trellis.spi.service.ClientIpAffinity;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceObjectsTest {

    private static ServiceBuilder web() {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.10").addNewPort().withName("http").withProtocol("TCP")
                .withPort(80).endPort().endSpec();
    }

    @Test
    void sessionAffinityClientIpCarriesItsTimeoutOrTheApiDefault() {
        Service none = web().editSpec().withSessionAffinity("None").endSpec().build();
        assertThat(ServiceObjects.toService(none, List.of()).orElseThrow().clientIpAffinity()).isEmpty();

        Service withTimeout = web().editSpec().withSessionAffinity("ClientIP").withNewSessionAffinityConfig()
                .withNewClientIP().withTimeoutSeconds(30).endClientIP().endSessionAffinityConfig().endSpec().build();
        assertThat(ServiceObjects.toService(withTimeout, List.of()).orElseThrow().clientIpAffinity())
                .contains(new ClientIpAffinity(30));

        Service defaulted = web().editSpec().withSessionAffinity("ClientIP").endSpec().build();
        assertThat(ServiceObjects.toService(defaulted, List.of()).orElseThrow().clientIpAffinity())
                .contains(new ClientIpAffinity(ClientIpAffinity.DEFAULT_TIMEOUT_SECONDS));
    }

    @Test
    void aBadAffinityNamesTheServiceAndTheField() {
        Service odd = web().editSpec().withSessionAffinity("Cookie").endSpec().build();
        assertThatThrownBy(() -> ServiceObjects.toService(odd, List.of()))
                .hasMessageContaining("default/web").hasMessageContaining("spec.sessionAffinity").hasMessageContaining("Cookie");
        Service zero = web().editSpec().withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP()
                .withTimeoutSeconds(0).endClientIP().endSessionAffinityConfig().endSpec().build();
        assertThatThrownBy(() -> ServiceObjects.toService(zero, List.of()))
                .hasMessageContaining("spec.sessionAffinityConfig.clientIP.timeoutSeconds");
    }
}
