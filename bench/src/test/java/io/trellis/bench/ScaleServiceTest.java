package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScaleServiceTest {

    @Test
    void namesAndClusterIpsFollowTheIndex() {
        assertThat(new ScaleService(0).clusterIp()).isEqualTo("172.30.0.1");
        assertThat(new ScaleService(254).clusterIp()).isEqualTo("172.30.0.255");
        assertThat(new ScaleService(255).clusterIp()).isEqualTo("172.30.1.0");
        assertThat(new ScaleService(9999).clusterIp()).isEqualTo("172.30.39.16");
        assertThat(new ScaleService(ScaleService.MAX - 1).clusterIp()).isEqualTo("172.30.255.254");
        assertThat(new ScaleService(42).name()).isEqualTo("svc-00042");
        assertThat(new ScaleService(42).sliceName()).isEqualTo("svc-00042-1");
        assertThat(new ScaleService(9999).frontend()).isEqualTo("172.30.39.16:80");
    }

    @Test
    void tenThousandServicesHaveTenThousandAddresses() {
        Set<String> ips = new HashSet<>();
        IntStream.range(0, 10_000).forEach(i -> ips.add(new ScaleService(i).clusterIp()));
        assertThat(ips).hasSize(10_000);
    }

    @Test
    void indexOutsideTheCidrIsRejected() {
        assertThatThrownBy(() -> new ScaleService(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> new ScaleService(ScaleService.MAX)).hasMessageContaining(ScaleService.SERVICE_CIDR);
    }
}
