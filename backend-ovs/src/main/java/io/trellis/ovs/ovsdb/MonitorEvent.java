package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a monitor listener receives. A {@link Type#SNAPSHOT} holds every monitored row and replaces
 * whatever the listener knew: it comes when the monitor starts and again after each reconnect
 * ({@code resync} true), because changes during the outage (including deletions) were not seen.
 * A {@link Type#CHANGE} holds the rows changed by one committed transaction.
 */
public record MonitorEvent(Type type, boolean resync, List<RowUpdate> updates) {

    public MonitorEvent {
        requireNonNull(type, "type");
        updates = List.copyOf(updates);
    }

    public List<RowUpdate> updates(String table) {
        return updates.stream().filter(u -> u.table().equals(table)).toList();
    }

    public enum Type {
        SNAPSHOT,
        CHANGE
    }
}
