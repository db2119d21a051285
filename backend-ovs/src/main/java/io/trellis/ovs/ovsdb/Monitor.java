package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A registered {@code monitor} or {@code monitor_cond}. It survives reconnects: the client sends
 * the request again on each new connection and delivers a fresh snapshot to the listener.
 */
public final class Monitor {

    private final OvsdbClient client;
    private final String id;
    private final String database;
    private final List<MonitorRequest> requests;
    private final MonitorListener listener;
    private final boolean conditional;
    private final MonitorReplica replica;
    private volatile boolean established;

    Monitor(OvsdbClient client, String id, String database, List<MonitorRequest> requests, MonitorListener listener,
            boolean conditional) {
        this.client = requireNonNull(client, "client");
        this.id = requireNonNull(id, "id");
        this.database = requireNonNull(database, "database");
        this.requests = List.copyOf(requests);
        this.listener = requireNonNull(listener, "listener");
        this.conditional = conditional;
        this.replica = new MonitorReplica(conditional, this.requests);
        if (this.requests.isEmpty()) {
            throw new IllegalArgumentException("a monitor needs at least one MonitorRequest");
        }
    }

    /** The {@code <json-value>} that names this monitor in requests and notifications. */
    public String id() {
        return id;
    }

    public String database() {
        return database;
    }

    public List<MonitorRequest> requests() {
        return requests;
    }

    /** True for {@code monitor_cond} (update2 notifications), false for RFC 7047 {@code monitor}. */
    public boolean conditional() {
        return conditional;
    }

    /** The monitored rows of {@code table} as of the last event delivered by the connection. */
    public Map<Uuid, Row> rows(String table) {
        return replica.rows(table);
    }

    /** Sends {@code monitor_cancel} and stops delivering events. */
    public CompletableFuture<Void> cancel() {
        return client.cancelMonitor(this);
    }

    MonitorListener listener() {
        return listener;
    }

    MonitorReplica replica() {
        return replica;
    }

    boolean established() {
        return established;
    }

    void established(boolean value) {
        this.established = value;
    }
}
