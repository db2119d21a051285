package io.trellis.ovs.ovsdb;

import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.FAST_OPTIONS;
import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.await;
import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.eventually;
import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kills and restarts ovsdb-server under a connected client: pending calls fail with
 * {@link OvsdbDisconnectedException}, the client reconnects on its own and the monitor delivers a
 * fresh snapshot. Needs root and openvswitch-switch (the sandbox fails the test without them).
 */
class OvsdbClientReconnectTest {

    @Test
    void clientReconnectsAfterOvsdbServerRestartAndMonitorResyncs() throws Exception {
        try (OvsSandbox sandbox = OvsSandbox.start();
             NettyTransport transport = new NettyTransport(1, "ovsdb-reconnect-it");
             OvsdbClient client = new OvsdbClient(transport, sandbox.dbEndpoint(), FAST_OPTIONS)) {
            List<ConnectionState> states = new CopyOnWriteArrayList<>();
            client.addConnectionListener(states::add);
            client.connect().get(10, TimeUnit.SECONDS);
            OpenVSwitchDatabase ovs = new OpenVSwitchDatabase(client);
            await(ovs.ensureBridge(BridgeSpec.of("rcbr1", DatapathType.NETDEV)));

            List<MonitorEvent> events = new CopyOnWriteArrayList<>();
            await(client.monitorCond(OpenVSwitchDatabase.DATABASE,
                    List.of(MonitorRequest.of("Bridge", List.of("name", "ports"))), events::add));
            eventually("initial snapshot", () -> !events.isEmpty());
            assertThat(events.get(0).type()).isEqualTo(MonitorEvent.Type.SNAPSHOT);
            assertThat(events.get(0).resync()).isFalse();

            // A transaction parked in a wait that never completes is in flight when the server dies.
            CompletableFuture<TransactResult> parked = client.transact(OpenVSwitchDatabase.DATABASE,
                    List.of(new Operation.Wait("Bridge", List.of(Condition.eq("name", "rcbr1")), List.of("name"),
                            Operation.Wait.Until.NOT_EQUAL, List.of(Row.builder().put("name", "rcbr1").build()),
                            Optional.empty())),
                    Duration.ofSeconds(60));
            Thread.sleep(200);
            assertThat(parked).isNotDone();

            sandbox.killOvsdb();

            assertThat(failureOf(parked)).isInstanceOf(OvsdbDisconnectedException.class)
                    .hasMessageContaining("OVSDB transact")
                    .hasMessageContaining("connection to " + sandbox.dbEndpoint() + " lost before the reply arrived");
            eventually("client noticed the disconnect", () -> states.contains(ConnectionState.DISCONNECTED));
            assertThat(failureOf(client.listDbs())).isInstanceOf(OvsdbDisconnectedException.class)
                    .hasMessageContaining("not connected to " + sandbox.dbEndpoint());
            // Let a few reconnect attempts fail against the missing socket.
            Thread.sleep(300);

            int eventsBefore = events.size();
            sandbox.startOvsdb();

            eventually("client reconnected", () -> client.state() == ConnectionState.CONNECTED);
            eventually("monitor re-established with a fresh snapshot", () -> events.size() > eventsBefore);
            MonitorEvent resync = events.get(eventsBefore);
            assertThat(resync.type()).isEqualTo(MonitorEvent.Type.SNAPSHOT);
            assertThat(resync.resync()).isTrue();
            assertThat(resync.updates("Bridge")).extracting(u -> u.newRow().orElseThrow().getString("name"))
                    .containsExactly("rcbr1");
            assertThat(await(client.listDbs())).contains("Open_vSwitch");

            // The re-established monitor keeps delivering changes.
            sandbox.vsctl("--no-wait", "add-br", "rcbr2");
            eventually("change after reconnect", () -> events.stream().skip(eventsBefore + 1)
                    .flatMap(e -> e.updates("Bridge").stream())
                    .anyMatch(u -> u.kind() == RowUpdate.Kind.INSERT
                            && u.newRow().orElseThrow().getString("name").equals("rcbr2")));
            int firstConnected = states.indexOf(ConnectionState.CONNECTED);
            assertThat(states.subList(firstConnected, states.size()))
                    .containsSubsequence(ConnectionState.CONNECTED, ConnectionState.DISCONNECTED,
                            ConnectionState.CONNECTING, ConnectionState.CONNECTED);
        }
    }

    @Test
    void connectRetriesUntilTheServerAppears() throws Exception {
        try (OvsSandbox sandbox = OvsSandbox.start();
             NettyTransport transport = new NettyTransport(1, "ovsdb-connect-it")) {
            sandbox.killOvsdb();
            try (OvsdbClient client = new OvsdbClient(transport, sandbox.dbEndpoint(), FAST_OPTIONS)) {
                CompletableFuture<Void> connected = client.connect();
                Thread.sleep(400);
                assertThat(connected).isNotDone();
                assertThat(client.state()).isIn(ConnectionState.DISCONNECTED, ConnectionState.CONNECTING);
                sandbox.startOvsdb();
                connected.get(10, TimeUnit.SECONDS);
                assertThat(await(client.listDbs())).contains("Open_vSwitch");
            }
        }
    }
}
