package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxySyncLogTest {

    private static final String LOG = """
            [main] INFO io.trellis.agent.TrellisAgent - ready: node e2e-node
            [trellis-iptables-services] DEBUG io.trellis.iptables.service.IptablesServiceProxy - services: 0 services synced (from iptables-save, 12 restore lines) in 85 ms
            [trellis-iptables-services] DEBUG io.trellis.iptables.service.IptablesServiceProxy - services: 3000 services synced (incremental, 66004 restore lines in 34 transactions) in 41250 ms
            [trellis-iptables-services] DEBUG io.trellis.iptables.service.IptablesServiceProxy - services: 3000 services synced (incremental, 9 restore lines) in 52000 ms
            [trellis-iptables-services] WARN io.trellis.iptables.service.IptablesServiceProxy - services: applying the iptables rules failed
            """;

    @Test
    void readsEverySyncLine() {
        ProxySyncLog log = ProxySyncLog.parse(LOG);
        assertThat(log.syncs()).containsExactly(new ProxySyncLog.Sync(0, true, 12, 1, 85),
                new ProxySyncLog.Sync(3000, false, 66004, 34, 41250), new ProxySyncLog.Sync(3000, false, 9, 1, 52000));
        assertThat(log.totalMillis()).isEqualTo(93335);
        assertThat(log.largest()).contains(new ProxySyncLog.Sync(3000, false, 66004, 34, 41250));
        assertThat(log.slowest()).contains(new ProxySyncLog.Sync(3000, false, 9, 1, 52000));
    }

    @Test
    void summaryNamesTheLargestAndTheSlowestBatch() {
        assertThat(ProxySyncLog.parse(LOG).summary()).isEqualTo("3 syncs, 93.3 s in all; the largest: 66004 restore "
                + "lines in 34 transactions for 3000 Services (incremental) in 41.3 s; the slowest: 52.0 s (9 lines, 3000 Services)");
        assertThat(ProxySyncLog.parse("no debug lines\n").summary()).isEqualTo("no sync lines logged");
    }
}
