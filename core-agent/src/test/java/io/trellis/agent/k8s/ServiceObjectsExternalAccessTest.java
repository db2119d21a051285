package io.trellis.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.trellis.spi.service.TrafficPolicy;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ServiceObjectsExternalAccessTest {

    private static ServiceBuilder web(String type) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withType(type).withClusterIP("10.96.0.10").addNewPort().withName("http")
                .withProtocol("TCP").withPort(80).withNodePort(30080).endPort().endSpec();
    }

    @Test
    void absentFieldsMeanNoExternalIpsAndClusterPolicies() {
        var service = ServiceObjects.toService(web("ClusterIP").build(), List.of()).orElseThrow();
        assertThat(service.externalIps()).isEmpty();
        assertThat(service.loadBalancerIps()).isEmpty();
        assertThat(service.externalTrafficPolicy()).isEqualTo(TrafficPolicy.CLUSTER);
        assertThat(service.internalTrafficPolicy()).isEqualTo(TrafficPolicy.CLUSTER);
    }

    @Test
    void loadBalancerServiceCarriesNodePortExternalAndIngressIpsAndPolicies() throws Exception {
        Service lb = web("LoadBalancer").editSpec().withExternalIPs("192.0.2.10", "2001:db8::10")
                .withExternalTrafficPolicy("Local").withInternalTrafficPolicy("Local").endSpec()
                .withNewStatus().withNewLoadBalancer().withIngress(
                        new LoadBalancerIngressBuilder().withIp("198.51.100.7").build(),
                        new LoadBalancerIngressBuilder().withHostname("lb.example.com").build())
                .endLoadBalancer().endStatus().build();
        var service = ServiceObjects.toService(lb, List.of()).orElseThrow();
        assertThat(service.ports().get(0).nodePort()).isEqualTo(OptionalInt.of(30080));
        // IPv6 is not proxied yet; a hostname-only ingress has no IP.
        assertThat(service.externalIps()).containsExactly(InetAddress.getByName("192.0.2.10"));
        assertThat(service.loadBalancerIps()).containsExactly(InetAddress.getByName("198.51.100.7"));
        assertThat(service.externalTrafficPolicy()).isEqualTo(TrafficPolicy.LOCAL);
        assertThat(service.internalTrafficPolicy()).isEqualTo(TrafficPolicy.LOCAL);
    }

    @Test
    void aStaleLoadBalancerStatusOfAnotherTypeIsIgnored() {
        Service formerLb = web("NodePort").withNewStatus().withNewLoadBalancer().withIngress(
                new LoadBalancerIngressBuilder().withIp("198.51.100.7").build()).endLoadBalancer().endStatus().build();
        assertThat(ServiceObjects.toService(formerLb, List.of()).orElseThrow().loadBalancerIps()).isEmpty();
    }

    @Test
    void badValuesNameTheServiceAndTheField() {
        Service policy = web("NodePort").editSpec().withExternalTrafficPolicy("Nearby").endSpec().build();
        assertThatThrownBy(() -> ServiceObjects.toService(policy, List.of())).hasMessageContaining("default/web")
                .hasMessageContaining("spec.externalTrafficPolicy").hasMessageContaining("Nearby");
        Service ip = web("ClusterIP").editSpec().withExternalIPs("192.0.2.300").endSpec().build();
        assertThatThrownBy(() -> ServiceObjects.toService(ip, List.of())).hasMessageContaining("default/web")
                .hasMessageContaining("spec.externalIPs").hasMessageContaining("192.0.2.300");
    }
}
