package io.trellis.ovs.ovsdb;

/**
 * Receives a monitor's events in order, on the client's listener thread. Must not block on
 * other OVSDB replies for long: events for all monitors of a client share that thread.
 */
public interface MonitorListener {

    void onEvent(MonitorEvent event);

    /** The monitor could not be re-established after a reconnect (it stays registered and is retried on the next one). */
    default void onError(Throwable error) {
    }
}
