package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.pipeline.ServiceFrontend;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** SCTP ports are skipped with one warning per Service port, not one per update. */
class ServiceWarningsTest {

    private static final ServiceRef REF = new ServiceRef("telco", "diameter");
    private static final ServicePort HTTP = new ServicePort("http", Protocol.TCP, 80, OptionalInt.empty());
    private static final ServicePort SIG = new ServicePort("sig", Protocol.SCTP, 3868, OptionalInt.empty());
    private static final ServicePort SIG2 = new ServicePort("m3ua", Protocol.SCTP, 2905, OptionalInt.empty());

    private final List<String> logged = new ArrayList<>();
    private final ServiceWarnings warnings = new ServiceWarnings(logged::add);

    @Test
    void anSctpPortIsWarnedAboutOnceNamingServicePortAndReason() {
        warnings.check(service(List.of(HTTP, SIG), 2, Optional.empty()));
        assertThat(logged).singleElement().satisfies(w -> assertThat(w)
                .startsWith("service telco/diameter port sig (SCTP/3868): not load-balanced, skipped: ")
                .contains("userspace datapath conntrack tracks SCTP without ports"));

        // Endpoint changes upsert the Service again: no more warnings.
        warnings.check(service(List.of(HTTP, SIG), 3, Optional.empty()));
        warnings.check(service(List.of(HTTP, SIG), 1, Optional.empty()));
        assertThat(logged).hasSize(1);

        // A second SCTP port: only it is new.
        warnings.check(service(List.of(HTTP, SIG, SIG2), 1, Optional.empty()));
        assertThat(logged).hasSize(2);
        assertThat(logged.get(1)).startsWith("service telco/diameter port m3ua (SCTP/2905): not load-balanced");
    }

    @Test
    void aPortOrServiceThatComesBackIsWarnedAboutAgain() {
        warnings.check(service(List.of(HTTP, SIG), 1, Optional.empty()));
        warnings.check(service(List.of(HTTP), 1, Optional.empty()));
        assertThat(warnings.check(service(List.of(HTTP, SIG), 1, Optional.empty()))).hasSize(1);
        warnings.forget(REF);
        assertThat(warnings.check(service(List.of(HTTP, SIG), 1, Optional.empty()))).hasSize(1);
        warnings.retainOnly(List.of(new ServiceRef("other", "svc")));
        assertThat(warnings.check(service(List.of(HTTP, SIG), 1, Optional.empty()))).hasSize(1);
        warnings.retainOnly(List.of(REF));
        assertThat(warnings.check(service(List.of(HTTP, SIG), 1, Optional.empty()))).isEmpty();
        assertThat(logged).hasSize(4);
    }

    @Test
    void aServiceWithoutSctpOrLongAffinityGetsNoWarning() {
        assertThat(warnings.check(service(List.of(HTTP), 2, Optional.of(new ClientIpAffinity(10800))))).isEmpty();
        assertThat(logged).isEmpty();
    }

    @Test
    void anAffinityBeyondTheLearnedFlowsTimeoutIsWarnedAboutOnce() {
        warnings.check(service(List.of(HTTP), 2, Optional.of(new ClientIpAffinity(86400))));
        warnings.check(service(List.of(HTTP), 3, Optional.of(new ClientIpAffinity(86400))));
        assertThat(logged).containsExactly("service telco/diameter: ClientIP affinity timeout 86400 s is kept for "
                + "65535 s only (the learned flow's 16-bit idle timeout)");
    }

    @Test
    void theSkippedPortGetsNoFrontendWhileTheOthersDo() {
        DesiredService desired = DesiredService.of(service(List.of(HTTP, SIG), 2, Optional.empty()));
        assertThat(desired.frontends().keySet()).extracting(ServiceFrontend::protocol)
                .containsExactly(ServiceFrontend.TCP);
        assertThat(desired.frontends().values()).singleElement().satisfies(b -> assertThat(b).hasSize(2));
    }

    private static Service service(List<ServicePort> ports, int endpoints, Optional<ClientIpAffinity> affinity) {
        List<ServiceEndpoint> eps = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            eps.add(new ServiceEndpoint(ip("10.20.0." + (11 + i)), List.of(new EndpointPort("http", Protocol.TCP, 8080),
                    new EndpointPort("sig", Protocol.SCTP, 3868)), true, Optional.empty()));
        }
        return new Service(REF, List.of(ip("10.96.0.40")), ports, eps, affinity);
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
