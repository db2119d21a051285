package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Typed operations on the Open_vSwitch database (vswitch.ovsschema) that the agent needs:
 * bridges, ports with one interface each, controllers, and ofport read-back. Each change is one
 * OVSDB transaction; Bridge, Port, Interface and Controller are non-root tables, so rows that are
 * no longer referenced are garbage-collected by ovsdb-server (RFC 7047 section 3.2, "isRoot").
 */
public final class OpenVSwitchDatabase {

    public static final String DATABASE = "Open_vSwitch";

    private static final String ROOT = "Open_vSwitch";
    private static final String BRIDGE = "Bridge";
    private static final String PORT = "Port";
    private static final String INTERFACE = "Interface";
    private static final String CONTROLLER = "Controller";

    private final OvsdbClient client;

    public OpenVSwitchDatabase(OvsdbClient client) {
        this.client = requireNonNull(client, "client");
    }

    public OvsdbClient client() {
        return client;
    }

    /** The root row (ovs_version, datapath_types...). Fails if there is none ({@code ovs-vsctl init} not run). */
    public CompletableFuture<OpenVSwitchInfo> info() {
        return client.transact(DATABASE, new Operation.Select(ROOT, List.of())).thenApply(r -> {
            List<Row> rows = r.rows(0);
            if (rows.size() != 1) {
                throw new OvsdbException("Open_vSwitch table has " + rows.size() + " rows, expected 1 (run ovs-vsctl init)");
            }
            return OpenVSwitchInfo.fromRow(rows.get(0));
        });
    }

    /**
     * Creates the bridge, or brings an existing one to the spec (datapath_type, protocols, fail_mode,
     * other_config and external_ids are replaced). A new bridge gets its local internal port of the
     * same name, as {@code ovs-vsctl add-br} does. Returns the Bridge row's uuid.
     */
    public CompletableFuture<Uuid> ensureBridge(BridgeSpec spec) {
        return ensureBridge(spec, true);
    }

    private CompletableFuture<Uuid> ensureBridge(BridgeSpec spec, boolean retryOnRace) {
        requireNonNull(spec, "spec");
        return findUuid(BRIDGE, spec.name()).thenCompose(existing -> {
            if (existing.isPresent()) {
                return updateBridge(spec, existing.get());
            }
            return createBridge(spec).handle((uuid, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture(uuid);
                }
                Throwable cause = unwrap(error);
                if (retryOnRace && cause instanceof OvsdbTransactionException tx && tx.operationIndex() == 0
                        && tx.error().equals("timed out")) {
                    // Someone created the bridge between our select and insert: update it instead.
                    return ensureBridge(spec, false);
                }
                return CompletableFuture.<Uuid>failedFuture(cause);
            }).thenCompose(f -> f);
        });
    }

    private Row bridgeColumns(BridgeSpec spec) {
        List<String> protocols = spec.protocols().stream().map(OpenFlowProtocol::ovsName).toList();
        return Row.builder()
                .put("datapath_type", spec.datapathType().ovsName())
                .putStringSet("protocols", protocols)
                .put("fail_mode", spec.failMode().map(m -> (Value) OvsdbSet.of(Atom.of(m.ovsName())))
                        .orElse(OvsdbSet.empty()))
                .putStringMap("other_config", spec.otherConfig())
                .putStringMap("external_ids", spec.externalIds())
                .build();
    }

    private CompletableFuture<Uuid> updateBridge(BridgeSpec spec, Uuid uuid) {
        return client.transact(DATABASE,
                new Operation.Update(BRIDGE, List.of(Condition.eq("_uuid", uuid)), bridgeColumns(spec)),
                new Operation.Comment("trellis: ensure bridge " + spec.name())
        ).thenApply(r -> {
            if (r.count(0) != 1) {
                throw new OvsdbException("bridge " + spec.name() + " (" + uuid + ") vanished during update");
            }
            return uuid;
        });
    }

    private CompletableFuture<Uuid> createBridge(BridgeSpec spec) {
        Operation.Insert iface = new Operation.Insert(INTERFACE,
                Row.builder().put("name", spec.name()).put("type", InterfaceType.INTERNAL.ovsName()).build(), "iface");
        Operation.Insert port = new Operation.Insert(PORT,
                Row.builder().put("name", spec.name()).put("interfaces", OvsdbSet.of(iface.namedUuid())).build(),
                "port");
        Operation.Insert bridge = new Operation.Insert(BRIDGE, Row.builder().put("name", spec.name()).build()
                .merge(bridgeColumns(spec)).merge(Row.builder().put("ports", OvsdbSet.of(port.namedUuid())).build()),
                "bridge");
        List<Operation> ops = List.of(
                // Asserts the bridge still does not exist (RFC 7047 5.2.6 with timeout 0).
                new Operation.Wait(BRIDGE, List.of(Condition.eq("name", spec.name())), List.of("name"),
                        Operation.Wait.Until.EQUAL, List.of(), Optional.of(Duration.ZERO)),
                iface, port, bridge,
                new Operation.Mutate(ROOT, List.of(),
                        List.of(Mutation.insert("bridges", OvsdbSet.of(bridge.namedUuid())))),
                new Operation.Comment("trellis: add bridge " + spec.name()));
        return client.transact(DATABASE, ops).thenApply(r -> {
            if (r.count(4) != 1) {
                throw new OvsdbException("bridge " + spec.name() + " not created: the Open_vSwitch table has "
                        + r.count(4) + " rows, expected 1 (run ovs-vsctl init)");
            }
            return r.insertedUuid("bridge");
        });
    }

    /** Removes the bridge from the root row; its ports and interfaces go with it. False if there was none. */
    public CompletableFuture<Boolean> deleteBridge(String name) {
        return findUuid(BRIDGE, name).thenCompose(uuid -> {
            if (uuid.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
            return client.transact(DATABASE,
                    new Operation.Mutate(ROOT, List.of(), List.of(Mutation.delete("bridges", OvsdbSet.of(uuid.get())))),
                    new Operation.Comment("trellis: delete bridge " + name)
            ).thenApply(r -> true);
        });
    }

    /**
     * Adds a port with one interface (both named {@code spec.name()}) to {@code bridge}. Fails with
     * {@link OvsdbTransactionException} if the bridge does not exist (operation 0, a wait) or a port
     * or interface of that name exists (commit, "constraint violation").
     */
    public CompletableFuture<Uuid> addPort(String bridge, PortSpec spec) {
        requireNonNull(bridge, "bridge");
        requireNonNull(spec, "spec");
        Row.Builder ifaceRow = Row.builder()
                .put("name", spec.name())
                .put("type", spec.type().ovsName())
                .putStringMap("options", spec.options())
                .putStringMap("external_ids", spec.externalIds());
        spec.ofportRequest().ifPresent(p -> ifaceRow.put("ofport_request", p));
        Operation.Insert iface = new Operation.Insert(INTERFACE, ifaceRow.build(), "iface");
        Operation.Insert port = new Operation.Insert(PORT, Row.builder()
                .put("name", spec.name())
                .put("interfaces", OvsdbSet.of(iface.namedUuid()))
                .putStringMap("external_ids", spec.externalIds())
                .build(), "port");
        List<Operation> ops = List.of(
                // Asserts the bridge exists: without it the new port would be garbage-collected silently.
                new Operation.Wait(BRIDGE, List.of(Condition.eq("name", bridge)), List.of("name"),
                        Operation.Wait.Until.NOT_EQUAL, List.of(), Optional.of(Duration.ZERO)),
                iface, port,
                new Operation.Mutate(BRIDGE, List.of(Condition.eq("name", bridge)),
                        List.of(Mutation.insert("ports", OvsdbSet.of(port.namedUuid())))),
                new Operation.Comment("trellis: add port " + spec.name() + " to " + bridge));
        return client.transact(DATABASE, ops).thenApply(r -> r.insertedUuid("port"));
    }

    /** Removes the port from {@code bridge}; false if no such port is on it. */
    public CompletableFuture<Boolean> deletePort(String bridge, String portName) {
        return findUuid(PORT, portName).thenCompose(uuid -> {
            if (uuid.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
            return client.transact(DATABASE,
                    new Operation.Select(BRIDGE, List.of(Condition.eq("name", bridge),
                            Condition.includes("ports", OvsdbSet.of(uuid.get()))), List.of("name")),
                    new Operation.Mutate(BRIDGE, List.of(Condition.eq("name", bridge)),
                            List.of(Mutation.delete("ports", OvsdbSet.of(uuid.get())))),
                    new Operation.Comment("trellis: delete port " + portName + " from " + bridge)
            ).thenApply(r -> !r.rows(0).isEmpty());
        });
    }

    public CompletableFuture<List<BridgeInfo>> listBridges() {
        return client.transact(DATABASE, new Operation.Select(BRIDGE, List.of()))
                .thenApply(r -> r.rows(0).stream().map(BridgeInfo::fromRow).toList());
    }

    /** The ports of {@code bridge} with their interfaces; fails if the bridge does not exist. */
    public CompletableFuture<List<PortInfo>> listPorts(String bridge) {
        return client.transact(DATABASE,
                new Operation.Select(BRIDGE, List.of(Condition.eq("name", bridge)), List.of("ports")),
                new Operation.Select(PORT, List.of()),
                new Operation.Select(INTERFACE, List.of())
        ).thenApply(r -> {
            if (r.rows(0).isEmpty()) {
                throw new OvsdbException("no bridge named " + bridge);
            }
            Map<Uuid, InterfaceInfo> interfaces = new HashMap<>();
            r.rows(2).forEach(row -> interfaces.put(row.uuid(), InterfaceInfo.fromRow(row)));
            Map<Uuid, Row> ports = new HashMap<>();
            r.rows(1).forEach(row -> ports.put(row.uuid(), row));
            List<PortInfo> out = new ArrayList<>();
            for (Uuid portUuid : r.rows(0).get(0).getUuidSet("ports")) {
                Row port = ports.get(portUuid);
                if (port == null) {
                    continue;
                }
                List<InterfaceInfo> ifaces = port.getUuidSet("interfaces").stream()
                        .map(interfaces::get).filter(i -> i != null).toList();
                out.add(new PortInfo(portUuid, port.getString("name"), ifaces, port.getStringMap("external_ids")));
            }
            return out;
        });
    }

    public CompletableFuture<Optional<InterfaceInfo>> getInterface(String name) {
        return client.transact(DATABASE, new Operation.Select(INTERFACE, List.of(Condition.eq("name", name))))
                .thenApply(r -> r.rows(0).stream().findFirst().map(InterfaceInfo::fromRow));
    }

    /**
     * Waits, with a conditional monitor on the interface, until ovs-vswitchd has assigned it an
     * OpenFlow port number. Fails with {@link OvsdbTimeoutException} (quoting the interface's
     * {@code error} column if set) after {@code timeout}.
     */
    public CompletableFuture<Long> awaitOfport(String interfaceName, Duration timeout) {
        requireNonNull(interfaceName, "interfaceName");
        CompletableFuture<Long> result = new CompletableFuture<>();
        AtomicReference<Optional<InterfaceInfo>> lastSeen = new AtomicReference<>(Optional.empty());
        MonitorListener listener = event -> {
            for (RowUpdate u : event.updates(INTERFACE)) {
                u.newRow().filter(row -> row.has("name") && row.getString("name").equals(interfaceName))
                        .ifPresent(row -> {
                            InterfaceInfo info = InterfaceInfo.fromRow(row);
                            lastSeen.set(Optional.of(info));
                            info.assignedOfport().ifPresent(result::complete);
                        });
            }
        };
        MonitorRequest request = MonitorRequest.of(INTERFACE,
                        List.of("name", "type", "options", "ofport", "ofport_request", "external_ids", "error"))
                .withWhere(List.of(Condition.eq("name", interfaceName)));
        CompletableFuture<Monitor> monitor = client.monitorCond(DATABASE, List.of(request), listener);
        monitor.whenComplete((m, e) -> {
            if (e != null) {
                result.completeExceptionally(unwrap(e));
            }
        });
        CompletableFuture<Long> bounded = result.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((ofport, e) -> {
                    if (e == null) {
                        return ofport;
                    }
                    Throwable cause = unwrap(e);
                    if (cause instanceof TimeoutException) {
                        throw new OvsdbTimeoutException("interface " + interfaceName + " got no ofport within "
                                + timeout + lastSeen.get().map(i -> ": ofport=" + i.ofport().map(String::valueOf)
                                .orElse("[]") + i.error().map(err -> ", error=" + err).orElse(""))
                                .orElse(": no such interface"));
                    }
                    throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
                });
        bounded.whenComplete((v, e) -> monitor.thenAccept(Monitor::cancel));
        return bounded;
    }

    /** Points the bridge at these OpenFlow controllers (e.g. {@code unix:/run/trellis/ofp.sock}), replacing any. */
    public CompletableFuture<Void> setController(String bridge, List<String> targets) {
        List<Operation> ops = new ArrayList<>();
        List<Atom> refs = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Operation.Insert ctl = new Operation.Insert(CONTROLLER,
                    Row.builder().put("target", targets.get(i)).build(), "ctl" + i);
            ops.add(ctl);
            refs.add(ctl.namedUuid());
        }
        return setControllerColumn(bridge, ops, OvsdbSet.of(refs));
    }

    public CompletableFuture<Void> clearController(String bridge) {
        return setControllerColumn(bridge, new ArrayList<>(), OvsdbSet.empty());
    }

    private CompletableFuture<Void> setControllerColumn(String bridge, List<Operation> ops, OvsdbSet controllers) {
        int updateIndex = ops.size();
        ops.add(new Operation.Update(BRIDGE, List.of(Condition.eq("name", bridge)),
                Row.builder().put("controller", controllers).build()));
        return client.transact(DATABASE, ops).thenApply(r -> {
            if (r.count(updateIndex) != 1) {
                throw new OvsdbException("no bridge named " + bridge);
            }
            return null;
        });
    }

    private CompletableFuture<Optional<Uuid>> findUuid(String table, String name) {
        return client.transact(DATABASE,
                        new Operation.Select(table, List.of(Condition.eq("name", name)), List.of("_uuid")))
                .thenApply(r -> r.rows(0).stream().findFirst().map(Row::uuid));
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
