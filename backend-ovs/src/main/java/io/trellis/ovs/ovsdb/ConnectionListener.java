package io.trellis.ovs.ovsdb;

/** Told about connection state changes, on the client's listener thread. */
@FunctionalInterface
public interface ConnectionListener {

    void onStateChange(ConnectionState state);
}
