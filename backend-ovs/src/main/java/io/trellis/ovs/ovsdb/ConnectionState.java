package io.trellis.ovs.ovsdb;

/** Life cycle of an {@link OvsdbClient} connection. */
public enum ConnectionState {
    CONNECTING,
    CONNECTED,
    /** Lost or failed; the client reconnects after a backoff delay. */
    DISCONNECTED,
    /** Closed by the application; terminal. */
    CLOSED
}
