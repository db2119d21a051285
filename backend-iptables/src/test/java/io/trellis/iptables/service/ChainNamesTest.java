package io.trellis.iptables.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ServiceRef;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChainNamesTest {

    private static final ServiceRef WEB = new ServiceRef("default", "web");

    @Test
    void perServiceNamesAre28CharactersAndStable() {
        String svc = ChainNames.svc(WEB, "http", Protocol.TCP);
        assertThat(svc).hasSize(28).startsWith("TRELLIS-SVC-").matches("TRELLIS-SVC-[A-Z2-7]{16}");
        assertThat(ChainNames.svc(new ServiceRef("default", "web"), "http", Protocol.TCP)).isEqualTo(svc);
        assertThat(ChainNames.sep(WEB, "http", Protocol.TCP, "10.244.1.5:8080")).hasSize(28).startsWith("TRELLIS-SEP-");
    }

    @Test
    void differentIdentitiesGiveDifferentNames() {
        Set<String> names = Set.of(
                ChainNames.svc(WEB, "http", Protocol.TCP),
                ChainNames.svc(WEB, "http", Protocol.UDP),
                ChainNames.svc(WEB, "dns", Protocol.TCP),
                ChainNames.svc(new ServiceRef("other", "web"), "http", Protocol.TCP),
                ChainNames.sep(WEB, "http", Protocol.TCP, "10.244.1.5:8080"),
                ChainNames.sep(WEB, "http", Protocol.TCP, "10.244.1.5:8081"));
        assertThat(names).hasSize(6);
        // The SVL / EXT chains of a port do not share the SVC chain's hash.
        assertThat(ChainNames.svl(WEB, "http", Protocol.TCP).substring(12))
                .isNotEqualTo(ChainNames.svc(WEB, "http", Protocol.TCP).substring(12));
    }

    @Test
    void ownershipIsExactlyOurNames() {
        assertThat(ChainNames.isOwned("TRELLIS-SERVICES")).isTrue();
        assertThat(ChainNames.isOwned("TRELLIS-NODEPORTS")).isTrue();
        assertThat(ChainNames.isOwned("TRELLIS-EXTERNAL-SERVICES")).isTrue();
        assertThat(ChainNames.isOwned(ChainNames.ext(WEB, "", Protocol.TCP))).isTrue();
        // Other Trellis components' and other programs' chains.
        assertThat(ChainNames.isOwned("TRELLIS-POSTROUTING")).isFalse();
        assertThat(ChainNames.isOwned("TRELLIS-FORWARD")).isFalse();
        assertThat(ChainNames.isOwned("TRELLIS-SVC-MASQ")).isFalse();
        assertThat(ChainNames.isOwned("KUBE-SERVICES")).isFalse();
        assertThat(ChainNames.isOwned("TRELLIS-SVC-abcdefghijklmnop")).isFalse();
    }

    @Test
    void base32FollowsRfc4648() {
        // RFC 4648 section 10 test vectors.
        assertThat(ChainNames.base32("foobar".getBytes(StandardCharsets.US_ASCII), 8)).isEqualTo("MZXW6YTB");
        assertThat(ChainNames.base32("fooba".getBytes(StandardCharsets.US_ASCII), 8)).isEqualTo("MZXW6YTB");
        assertThat(ChainNames.base32("fo".getBytes(StandardCharsets.US_ASCII), 3)).isEqualTo("MZX");
    }
}
