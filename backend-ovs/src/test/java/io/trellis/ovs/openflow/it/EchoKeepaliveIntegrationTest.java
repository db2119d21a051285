package io.trellis.ovs.openflow.it;

import static io.trellis.ovs.openflow.it.ItSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.client.ConnectionState;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * With a 100 ms echo interval the client probes an idle connection many times; OVS's echo
 * replies keep it up (a missing or misread reply would close it after two idle periods), and a
 * frozen ovs-vswitchd, whose socket stays open, is noticed by the echoes alone.
 */
class EchoKeepaliveIntegrationTest {

    @Test
    void idleConnectionSurvivesOnEchoes() {
        try (OvsSandbox sandbox = OvsSandbox.start();
             NettyTransport transport = new NettyTransport(1, "it-echo")) {
            sandbox.addBridge("br0");
            OpenFlowClient client = new OpenFlowClient(transport, sandbox.bridgeEndpoint("br0"),
                    ItSupport.CONFIG.withEchoInterval(Duration.ofMillis(100)));
            try {
                await(client.connect());
                List<ConnectionState> states = new CopyOnWriteArrayList<>();
                client.addConnectionListener(states::add);
                ItSupport.sleep(1500);
                assertThat(states).as("connection events while idle").isEmpty();
                assertThat(client.isConnected()).isTrue();
                await(client.barrier());

                // A hung switch (SIGSTOP: the socket stays open, nothing answers) is detected by
                // the unanswered echoes alone; once it runs again the client reconnects.
                sandbox.pauseVswitchd();
                long paused = System.nanoTime();
                ItSupport.eventually("DISCONNECTED while vswitchd is frozen", Duration.ofSeconds(5),
                        () -> states.contains(ConnectionState.DISCONNECTED));
                assertThat(Duration.ofNanos(System.nanoTime() - paused)).isLessThan(Duration.ofSeconds(2));
                sandbox.resumeVswitchd();
                ItSupport.eventually("CONNECTED after vswitchd resumed", Duration.ofSeconds(10),
                        () -> states.get(states.size() - 1) == ConnectionState.CONNECTED);
                await(client.barrier());
            } finally {
                client.close();
            }
        }
    }
}
