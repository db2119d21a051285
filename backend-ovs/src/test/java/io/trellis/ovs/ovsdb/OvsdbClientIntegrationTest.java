package io.trellis.ovs.ovsdb;

import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.FAST_OPTIONS;
import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.await;
import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.eventually;
import static io.trellis.ovs.ovsdb.OvsdbIntegrationSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OVSDB client against a real ovsdb-server and ovs-vswitchd (userspace datapath) in an
 * {@link OvsSandbox}; results are checked with ovs-vsctl. Needs root and openvswitch-switch: without
 * them {@link OvsSandbox#start()} fails the test with the missing prerequisite.
 */
class OvsdbClientIntegrationTest {

    private static OvsSandbox sandbox;
    private static NettyTransport transport;
    private static OvsdbClient client;
    private static OpenVSwitchDatabase ovs;

    @BeforeAll
    static void start() throws Exception {
        sandbox = OvsSandbox.start();
        transport = new NettyTransport(1, "ovsdb-it");
        client = new OvsdbClient(transport, sandbox.dbEndpoint(), FAST_OPTIONS);
        client.connect().get(10, TimeUnit.SECONDS);
        ovs = new OpenVSwitchDatabase(client);
    }

    @AfterAll
    static void stop() {
        try {
            if (client != null) {
                client.close();
            }
            if (transport != null) {
                transport.close();
            }
        } finally {
            if (sandbox != null) {
                sandbox.close();
            }
        }
    }

    @Test
    void listDbsGetSchemaAndEcho() throws Exception {
        assertThat(await(client.listDbs())).contains("Open_vSwitch");
        DatabaseSchema schema = await(client.getSchema("Open_vSwitch"));
        JsonNode installed = new ObjectMapper().readTree(Path.of("/usr/share/openvswitch/vswitch.ovsschema").toFile());
        assertThat(schema.version()).isEqualTo(installed.get("version").asText());
        assertThat(schema.requireTable("Open_vSwitch").isRoot()).isTrue();
        assertThat(schema.requireTable("Interface").column("ofport").orElseThrow().max()).isEqualTo(1);
        assertThat(await(client.echo()).get(0).asText()).isEqualTo("trellis-echo");
        assertThat(failureOf(client.getSchema("No_Such_Db"))).isInstanceOf(OvsdbRpcException.class)
                .hasMessageContaining("get_schema").hasMessageContaining("unknown database");
    }

    @Test
    void openVSwitchRootRowReportsTheDatapathTypesOfTheRunningVswitchd() {
        eventually("ovs-vswitchd filled in datapath_types",
                () -> !await(ovs.info()).datapathTypes().isEmpty());
        OpenVSwitchInfo info = await(ovs.info());
        assertThat(info.datapathTypes()).contains("netdev");
        assertThat(info.ifaceTypes()).contains("internal", "geneve", "vxlan");
        assertThat(info.uuid().toString()).isEqualTo(sandbox.vsctl("get", "Open_vSwitch", ".", "_uuid").strip());
    }

    @Test
    void bridgeAndPortsCreatedByTheClientShowUpInOvsVsctlShow() {
        BridgeSpec spec = BridgeSpec.of("itbr1", DatapathType.NETDEV)
                .withOtherConfig(Map.of("datapath-id", "00000000000000a1"))
                .withExternalIds(Map.of("owner", "trellis"));
        Uuid bridgeUuid = await(ovs.ensureBridge(spec));
        await(ovs.addPort("itbr1", PortSpec.internal("itgw1").withExternalIds(Map.of("role", "gateway"))));
        await(ovs.addPort("itbr1", PortSpec.flowBasedGeneve("itgen1").withOfportRequest(2)));
        await(ovs.addPort("itbr1", PortSpec.flowBasedVxlan("itvx1").withOfportRequest(3)));

        VsctlShow show = VsctlShow.parse(sandbox.vsctl("show"));
        VsctlShow.Bridge bridge = show.bridges().get("itbr1");
        assertThat(bridge).as("itbr1 in ovs-vsctl show").isNotNull();
        assertThat(bridge.properties()).containsEntry("datapath_type", "netdev").containsEntry("fail_mode", "secure");
        assertThat(bridge.ports()).containsOnlyKeys("itbr1", "itgw1", "itgen1", "itvx1");
        assertThat(bridge.ports().get("itbr1").interfaces().get("itbr1")).containsEntry("type", "internal");
        assertThat(bridge.ports().get("itgw1").interfaces().get("itgw1")).containsEntry("type", "internal");
        assertThat(bridge.ports().get("itgen1").interfaces().get("itgen1"))
                .containsEntry("type", "geneve").containsEntry("options", "{key=flow, remote_ip=flow}");
        assertThat(bridge.ports().get("itvx1").interfaces().get("itvx1"))
                .containsEntry("type", "vxlan").containsEntry("options", "{key=flow, remote_ip=flow}");

        assertThat(sandbox.vsctl("get", "Bridge", "itbr1", "protocols").strip()).isEqualTo("[OpenFlow13, OpenFlow15]");
        assertThat(sandbox.vsctl("get", "Bridge", "itbr1", "other_config:datapath-id").strip())
                .isEqualTo("\"00000000000000a1\"");
        assertThat(sandbox.vsctl("get", "Bridge", "itbr1", "external_ids:owner").strip()).isEqualTo("trellis");
        assertThat(sandbox.vsctl("get", "Port", "itgw1", "external_ids:role").strip()).isEqualTo("gateway");
        assertThat(sandbox.vsctl("get", "Bridge", "itbr1", "_uuid").strip()).isEqualTo(bridgeUuid.toString());

        // The typed read side agrees.
        List<PortInfo> ports = await(ovs.listPorts("itbr1"));
        assertThat(ports).extracting(PortInfo::name).containsExactlyInAnyOrder("itbr1", "itgw1", "itgen1", "itvx1");
        PortInfo geneve = ports.stream().filter(p -> p.name().equals("itgen1")).findFirst().orElseThrow();
        assertThat(geneve.interfaces()).singleElement().satisfies(i -> {
            assertThat(i.type()).isEqualTo("geneve");
            assertThat(i.options()).isEqualTo(Map.of("remote_ip", "flow", "key", "flow"));
            assertThat(i.ofportRequest()).contains(2L);
        });
        BridgeInfo info = await(ovs.listBridges()).stream().filter(b -> b.name().equals("itbr1")).findFirst()
                .orElseThrow();
        assertThat(info.protocols()).containsExactlyInAnyOrder("OpenFlow13", "OpenFlow15");
        assertThat(info.datapathType()).isEqualTo("netdev");
        assertThat(info.ports()).hasSize(4);
    }

    @Test
    void ensureBridgeIsIdempotentAndConvergesAnExistingBridge() {
        Uuid first = await(ovs.ensureBridge(BridgeSpec.of("itbr2", DatapathType.NETDEV)));
        Uuid second = await(ovs.ensureBridge(BridgeSpec.of("itbr2", DatapathType.NETDEV)
                .withProtocols(EnumSet.of(OpenFlowProtocol.OPENFLOW15))
                .withFailMode(Optional.empty())
                .withExternalIds(Map.of("generation", "2"))));
        assertThat(second).isEqualTo(first);
        assertThat(sandbox.vsctl("list-br").lines().filter("itbr2"::equals).count()).isEqualTo(1);
        assertThat(sandbox.vsctl("get", "Bridge", "itbr2", "protocols").strip()).isEqualTo("[OpenFlow15]");
        assertThat(sandbox.vsctl("get", "Bridge", "itbr2", "fail_mode").strip()).isEqualTo("[]");
        assertThat(sandbox.vsctl("get", "Bridge", "itbr2", "external_ids").strip()).isEqualTo("{generation=\"2\"}");
        // A bridge made by ovs-vsctl is adopted, not duplicated.
        sandbox.vsctl("add-br", "itbr3", "--", "set", "bridge", "itbr3", "datapath_type=netdev");
        Uuid adopted = await(ovs.ensureBridge(BridgeSpec.of("itbr3", DatapathType.NETDEV)));
        assertThat(adopted.toString()).isEqualTo(sandbox.vsctl("get", "Bridge", "itbr3", "_uuid").strip());
        assertThat(sandbox.vsctl("get", "Bridge", "itbr3", "protocols").strip()).isEqualTo("[OpenFlow13, OpenFlow15]");
    }

    @Test
    void ofportReadBackEqualsWhatOvsVsctlSays() {
        await(ovs.ensureBridge(BridgeSpec.of("itbr4", DatapathType.NETDEV)));
        await(ovs.addPort("itbr4", PortSpec.internal("itgw4")));
        await(ovs.addPort("itbr4", PortSpec.flowBasedGeneve("itgen4").withOfportRequest(7)
                // All netdev bridges share one datapath, which allows one flow-based geneve port per UDP port.
                .withOptions(Map.of("remote_ip", "flow", "key", "flow", "dst_port", "6082"))));
        long gw = await(ovs.awaitOfport("itgw4", Duration.ofSeconds(15)));
        long tun = await(ovs.awaitOfport("itgen4", Duration.ofSeconds(15)));
        assertThat(gw).isPositive();
        assertThat(Long.toString(gw)).isEqualTo(sandbox.vsctl("get", "Interface", "itgw4", "ofport").strip());
        assertThat(tun).isEqualTo(7);
        assertThat(sandbox.vsctl("get", "Interface", "itgen4", "ofport").strip()).isEqualTo("7");
        assertThat(await(ovs.getInterface("itgw4")).orElseThrow().assignedOfport()).contains(gw);
    }

    @Test
    void awaitOfportTimesOutNamingTheInterface() {
        Throwable failure = failureOf(ovs.awaitOfport("itnosuch", Duration.ofMillis(300)));
        assertThat(failure).isInstanceOf(OvsdbTimeoutException.class)
                .hasMessageContaining("interface itnosuch got no ofport within PT0.3S: no such interface");
    }

    @Test
    void monitorsSeeAPortAddedAndRemovedByOvsVsctl() {
        await(ovs.ensureBridge(BridgeSpec.of("itbr5", DatapathType.NETDEV)));
        List<MonitorEvent> all = new CopyOnWriteArrayList<>();
        List<MonitorEvent> filtered = new CopyOnWriteArrayList<>();
        Monitor plain = await(client.monitor(OpenVSwitchDatabase.DATABASE,
                List.of(MonitorRequest.of("Port", List.of("name", "interfaces"))), all::add));
        Monitor cond = await(client.monitorCond(OpenVSwitchDatabase.DATABASE,
                List.of(MonitorRequest.of("Interface", List.of("name", "type", "ofport"))
                        .withWhere(List.of(Condition.eq("name", "itext5")))), filtered::add));
        eventually("both snapshots delivered", () -> !all.isEmpty() && !filtered.isEmpty());
        assertThat(all.get(0).type()).isEqualTo(MonitorEvent.Type.SNAPSHOT);
        assertThat(all.get(0).updates("Port")).extracting(u -> u.newRow().orElseThrow().getString("name"))
                .contains("itbr5");
        assertThat(filtered.get(0).updates()).isEmpty();

        sandbox.vsctl("add-port", "itbr5", "itext5", "--", "set", "Interface", "itext5", "type=internal");

        eventually("plain monitor saw Port itext5 inserted", () -> all.stream()
                .flatMap(e -> e.updates("Port").stream())
                .anyMatch(u -> u.kind() == RowUpdate.Kind.INSERT && u.newRow().orElseThrow().getString("name").equals("itext5")));
        eventually("conditional monitor saw Interface itext5 get its ofport", () -> filtered.stream()
                .flatMap(e -> e.updates("Interface").stream())
                // ovsdb-server may fold vswitchd's ofport write into the insert for a client that lags.
                .anyMatch(u -> u.kind() != RowUpdate.Kind.DELETE
                        && u.newRow().orElseThrow().getOptionalInteger("ofport").filter(p -> p > 0).isPresent()),
                () -> "; conditional monitor events: " + filtered);
        RowUpdate inserted = filtered.stream().flatMap(e -> e.updates("Interface").stream())
                .filter(u -> u.kind() == RowUpdate.Kind.INSERT).findFirst().orElseThrow();
        assertThat(inserted.newRow().orElseThrow().getString("type")).isEqualTo("internal");
        long ofport = Long.parseLong(sandbox.vsctl("get", "Interface", "itext5", "ofport").strip());
        assertThat(cond.rows("Interface").values()).singleElement()
                .satisfies(row -> assertThat(row.getOptionalInteger("ofport")).contains(ofport));
        // Only itext5 passes the condition.
        assertThat(filtered.stream().flatMap(e -> e.updates().stream()).map(u -> u.newRow().or(u::oldRow)
                .orElseThrow().getString("name"))).containsOnly("itext5");

        await(cond.cancel());
        int seenByCond = filtered.size();
        sandbox.vsctl("del-port", "itbr5", "itext5");
        eventually("plain monitor saw Port itext5 deleted", () -> all.stream()
                .flatMap(e -> e.updates("Port").stream())
                .anyMatch(u -> u.kind() == RowUpdate.Kind.DELETE && u.oldRow().orElseThrow().getString("name").equals("itext5")));
        assertThat(filtered).hasSize(seenByCond);
        await(plain.cancel());
    }

    @Test
    void failingTransactionsNameTheFailingOperation() {
        await(ovs.ensureBridge(BridgeSpec.of("itbr6", DatapathType.NETDEV)));
        await(ovs.addPort("itbr6", PortSpec.internal("itdup6")));

        // A second port of the same name breaks the Interface/Port name index at commit.
        Throwable dup = failureOf(ovs.addPort("itbr6", PortSpec.internal("itdup6")));
        assertThat(dup).isInstanceOf(OvsdbTransactionException.class);
        OvsdbTransactionException dupTx = (OvsdbTransactionException) dup;
        assertThat(dupTx.error()).isEqualTo("constraint violation");
        assertThat(dupTx.op()).isEqualTo("commit");
        assertThat(dupTx.details()).hasValueSatisfying(d -> assertThat(d).contains("itdup6"));

        // The bridge check (a wait with timeout 0) fails first when the bridge does not exist.
        OvsdbTransactionException noBridge = (OvsdbTransactionException)
                failureOf(ovs.addPort("itnobr", PortSpec.internal("itorphan")));
        assertThat(noBridge.operationIndex()).isZero();
        assertThat(noBridge.op()).isEqualTo("wait");
        assertThat(noBridge.table()).contains("Bridge");
        assertThat(noBridge.error()).isEqualTo("timed out");
        assertThat(noBridge).hasMessageStartingWith(
                "OVSDB transaction on Open_vSwitch failed at operation 0 (wait Bridge): timed out");

        // A reference to a row that does not exist: referential integrity violation at commit.
        Uuid ghost = Uuid.parse("00000000-0000-0000-0000-0000000000aa");
        OvsdbTransactionException dangling = (OvsdbTransactionException) failureOf(client.transact(
                OpenVSwitchDatabase.DATABASE,
                new Operation.Insert("Port", Row.builder().put("name", "itghost")
                        .put("interfaces", OvsdbSet.of(ghost)).build(), "p"),
                new Operation.Mutate("Bridge", List.of(Condition.eq("name", "itbr6")),
                        List.of(Mutation.insert("ports", OvsdbSet.of(new NamedUuid("p")))))));
        assertThat(dangling.error()).isEqualTo("referential integrity violation");
        assertThat(dangling.operationIndex()).isEqualTo(2);
        assertThat(dangling.details()).hasValueSatisfying(d -> assertThat(d).contains(ghost.toString()));

        // A wait that never becomes true times out, at its own index, after its timeout.
        OvsdbTransactionException waited = (OvsdbTransactionException) failureOf(client.transact(
                OpenVSwitchDatabase.DATABASE,
                new Operation.Comment("first"),
                new Operation.Wait("Bridge", List.of(Condition.eq("name", "itbr6")), List.of("name"),
                        Operation.Wait.Until.EQUAL, List.of(Row.builder().put("name", "other").build()),
                        Optional.of(Duration.ofMillis(200)))));
        assertThat(waited.operationIndex()).isEqualTo(1);
        assertThat(waited.op()).isEqualTo("wait");
        assertThat(waited.error()).isEqualTo("timed out");

        // An operation error with details from the server, e.g. a bad column.
        OvsdbTransactionException badColumn = (OvsdbTransactionException) failureOf(client.transact(
                OpenVSwitchDatabase.DATABASE,
                new Operation.Select("Bridge", List.of(Condition.eq("no_such_column", "x")))));
        assertThat(badColumn.operationIndex()).isZero();
        assertThat(badColumn).hasMessageContaining("no_such_column");

        // Nothing of the failed transactions reached the database.
        VsctlShow show = VsctlShow.parse(sandbox.vsctl("show"));
        assertThat(show.bridges()).doesNotContainKey("itnobr");
        assertThat(show.bridges().get("itbr6").ports()).containsOnlyKeys("itbr6", "itdup6");
        assertThat(sandbox.vsctl("--columns=name", "find", "Port", "name=itghost")).isBlank();
    }

    @Test
    void deletePortAndBridge() {
        await(ovs.ensureBridge(BridgeSpec.of("itbr7", DatapathType.NETDEV)));
        await(ovs.addPort("itbr7", PortSpec.internal("itp7")));
        assertThat(sandbox.vsctl("list-ports", "itbr7").lines()).containsExactly("itp7");
        assertThat(await(ovs.deletePort("itbr7", "itp7"))).isTrue();
        assertThat(sandbox.vsctl("list-ports", "itbr7")).isBlank();
        assertThat(sandbox.vsctl("--columns=name", "find", "Interface", "name=itp7")).isBlank();
        assertThat(await(ovs.deletePort("itbr7", "itp7"))).isFalse();
        assertThat(await(ovs.deleteBridge("itbr7"))).isTrue();
        assertThat(sandbox.vsctl("list-br").lines()).doesNotContain("itbr7");
        assertThat(await(ovs.deleteBridge("itbr7"))).isFalse();
    }

    @Test
    void setAndClearController() {
        await(ovs.ensureBridge(BridgeSpec.of("itbr8", DatapathType.NETDEV)));
        await(ovs.setController("itbr8", List.of("tcp:127.0.0.1:6653", "unix:/tmp/itbr8.ctl")));
        assertThat(sandbox.vsctl("get-controller", "itbr8").lines())
                .containsExactlyInAnyOrder("tcp:127.0.0.1:6653", "unix:/tmp/itbr8.ctl");
        await(ovs.clearController("itbr8"));
        assertThat(sandbox.vsctl("get-controller", "itbr8")).isBlank();
        assertThat(sandbox.vsctl("--columns=target", "find", "Controller", "target=\"tcp:127.0.0.1:6653\"")).isBlank();
        assertThat(failureOf(ovs.setController("itnobr8", List.of())))
                .isInstanceOf(OvsdbException.class).hasMessageContaining("no bridge named itnobr8");
    }
}
