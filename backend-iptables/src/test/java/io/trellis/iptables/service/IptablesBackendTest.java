package io.trellis.iptables.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IptablesBackendTest {

    @Test
    void providesTheServiceProxyUnderItsName() {
        IptablesBackend backend = new IptablesBackend();
        assertThat(backend.name()).isEqualTo("iptables");
        assertThat(backend.settingKeys()).containsExactly("masqueradeBit");
        assertThat(backend.serviceProxy()).isPresent();
        assertThat(backend.podInterface()).isEmpty();
        assertThat(backend.nodeRoutes()).isEmpty();
    }

    @Test
    void conntrackOutputIsReadForTheDeletedCount() {
        assertThat(IptablesCommands.deletedCount("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n"))
                .isZero();
        assertThat(IptablesCommands.deletedCount("conntrack v1.4.7 (conntrack-tools): 12 flow entries have been deleted."))
                .isEqualTo(12);
        assertThat(IptablesCommands.deletedCount("conntrack: Operation not permitted")).isEqualTo(-1);
    }
}
