package io.trellis.ovs.openflow.client;

/** Reported to connection listeners; after CONNECTED (again) the agent should resync its flows. */
public enum ConnectionState {
    /** Hello negotiated and features received. */
    CONNECTED,
    /** The connection was lost; the client reconnects with backoff unless closed. */
    DISCONNECTED
}
