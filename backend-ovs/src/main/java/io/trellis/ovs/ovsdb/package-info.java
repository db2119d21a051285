/**
 * OVSDB client (RFC 7047) on Netty.
 *
 * <ul>
 *   <li>Values: {@link io.trellis.ovs.ovsdb.Value} = {@link io.trellis.ovs.ovsdb.Atom} (string, integer,
 *       real, boolean, {@link io.trellis.ovs.ovsdb.Uuid}, {@link io.trellis.ovs.ovsdb.NamedUuid}),
 *       {@link io.trellis.ovs.ovsdb.OvsdbSet}, {@link io.trellis.ovs.ovsdb.OvsdbMap}; rows are
 *       {@link io.trellis.ovs.ovsdb.Row}.</li>
 *   <li>Wire: Netty's {@code JsonObjectDecoder} splits the stream, {@link io.trellis.ovs.ovsdb.JsonRpcCodec}
 *       maps JSON-RPC 1.0 messages, {@link io.trellis.ovs.ovsdb.JsonRpcSession} correlates replies,
 *       times requests out and answers echo.</li>
 *   <li>{@link io.trellis.ovs.ovsdb.OvsdbClient}: transact with typed
 *       {@link io.trellis.ovs.ovsdb.Operation}s, monitor / monitor_cond, reconnect with backoff.</li>
 *   <li>{@link io.trellis.ovs.ovsdb.OpenVSwitchDatabase}: bridges, ports, controllers and ofports in the
 *       Open_vSwitch database.</li>
 * </ul>
 */
package io.trellis.ovs.ovsdb;
