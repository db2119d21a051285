package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.Address;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.MacAddress;
import io.trellis.netlink.route.Route;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.ovsdb.BridgeInfo;
import io.trellis.ovs.ovsdb.BridgeSpec;
import io.trellis.ovs.ovsdb.DatapathType;
import io.trellis.ovs.ovsdb.InterfaceType;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.PortInfo;
import io.trellis.ovs.ovsdb.PortSpec;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code netdev} uplink bridge (br-phy): userspace native tunnelling needs the node IP on an OVS
 * netdev bridge that holds the uplink (see the shared two-node recipe). {@link #moveOnto} puts the
 * uplink into the bridge and moves its IPv4 addresses and the routes through it (default route
 * included) onto the bridge's internal device; what was moved is recorded in the bridge's
 * external_ids, so a restart re-applies the same state instead of moving again (and re-adds the
 * addresses that ovs-vswitchd loses when it recreates the internal device), and {@link #restore}
 * puts everything back on the uplink and deletes the bridge.
 *
 * <p>Limits: IPv4 only; routes are recorded as destination and gateway (metric, source and
 * protocol are not kept).
 */
public final class UplinkBridge {

    static final String UPLINK_ID = "trellis.uplink";
    static final String ADDRESSES_ID = "trellis.uplink-addresses";
    static final String ROUTES_ID = "trellis.uplink-routes";
    /** The uplink's arp_ignore before the move, put back by {@link #restore}. */
    static final String ARP_IGNORE_ID = "trellis.uplink-arp-ignore";
    static final String HWADDR = "hwaddr";

    private static final Logger LOG = LoggerFactory.getLogger(UplinkBridge.class);
    private static final long POLL_MILLIS = 20;

    private final OpenVSwitchDatabase db;
    private final NodeNetlink netlink;
    private final String bridge;
    private final Duration timeout;

    public UplinkBridge(OpenVSwitchDatabase db, NodeNetlink netlink, String bridge, Duration timeout) {
        this.db = requireNonNull(db, "db");
        this.netlink = requireNonNull(netlink, "netlink");
        this.bridge = requireNonNull(bridge, "bridge");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    /** What was moved from the uplink to the bridge, as recorded in the bridge's external_ids. */
    public record Moved(String uplink, List<IpPrefix> addresses, List<MovedRoute> routes) {
        public Moved {
            requireNonNull(uplink, "uplink");
            addresses = List.copyOf(addresses);
            routes = List.copyOf(routes);
        }

        Map<String, String> externalIds() {
            Map<String, String> ids = new LinkedHashMap<>();
            ids.put(UPLINK_ID, uplink);
            ids.put(ADDRESSES_ID, addresses.stream().map(IpPrefix::toString).collect(Collectors.joining(",")));
            ids.put(ROUTES_ID, routes.stream().map(MovedRoute::toString).collect(Collectors.joining(",")));
            return ids;
        }

        /** The record in {@code ids}, or empty when the bridge does not carry one (not set up by this class). */
        static Optional<Moved> fromExternalIds(String bridge, Map<String, String> ids) {
            String uplink = ids.get(UPLINK_ID);
            if (uplink == null) {
                return Optional.empty();
            }
            List<IpPrefix> addresses = split(ids.getOrDefault(ADDRESSES_ID, "")).stream()
                    .map(a -> parse(bridge, ADDRESSES_ID, a, IpPrefix::parse)).toList();
            List<MovedRoute> routes = split(ids.getOrDefault(ROUTES_ID, "")).stream()
                    .map(r -> parse(bridge, ROUTES_ID, r, MovedRoute::parse)).toList();
            return Optional.of(new Moved(uplink, addresses, routes));
        }

        private static List<String> split(String value) {
            return value.isBlank() ? List.of() : Arrays.stream(value.split(",")).map(String::strip).toList();
        }

        private static <T> T parse(String bridge, String key, String value, java.util.function.Function<String, T> f) {
            try {
                return f.apply(value);
            } catch (RuntimeException e) {
                throw new IllegalStateException("bridge " + bridge + " external_ids:" + key + ": cannot read '" + value
                        + "': " + e.getMessage(), e);
            }
        }
    }

    /** A route through the uplink: "DST" (on the link) or "DST via GW". */
    public record MovedRoute(IpPrefix destination, Optional<InetAddress> gateway) {
        public MovedRoute {
            requireNonNull(destination, "destination");
            requireNonNull(gateway, "gateway");
        }

        static MovedRoute parse(String text) {
            String[] parts = text.strip().split("\\s+");
            if (parts.length == 1) {
                return new MovedRoute(IpPrefix.parse(parts[0]), Optional.empty());
            }
            if (parts.length == 3 && parts[1].equals("via")) {
                return new MovedRoute(IpPrefix.parse(parts[0]), Optional.of(IpPrefix.parseAddress(parts[2])));
            }
            throw new IllegalArgumentException("expected 'DST' or 'DST via GW'");
        }

        Route on(int outputIndex) {
            return gateway.map(g -> Route.via(destination, g, outputIndex))
                    .orElseGet(() -> Route.onLink(destination, outputIndex));
        }

        @Override
        public String toString() {
            return destination + gateway.map(g -> " via " + g.getHostAddress()).orElse("");
        }
    }

    /** The link holding {@code nodeIp} in the node namespace (the uplink when the node IP is not moved yet). */
    public static Optional<String> linkHolding(RtNetlink rtnl, InetAddress nodeIp) {
        requireNonNull(nodeIp, "nodeIp");
        return rtnl.addresses().list(IpPrefix.familyOf(nodeIp)).stream()
                .filter(a -> a.prefix().address().equals(nodeIp))
                .findFirst()
                .flatMap(a -> rtnl.links().get(a.index()))
                .map(Link::name);
    }

    /** The uplink this class moved onto the bridge earlier (recorded in its external_ids), if any. */
    public Optional<String> recordedUplink() {
        return findBridge().flatMap(b -> Moved.fromExternalIds(bridge, b.externalIds())).map(Moved::uplink);
    }

    /**
     * Ensures the bridge with {@code uplink} as a port and the uplink's IPv4 addresses and routes on
     * the bridge device; idempotent. Returns what is recorded as moved.
     */
    public Moved moveOnto(String uplink) {
        requireNonNull(uplink, "uplink");
        if (uplink.equals(bridge)) {
            throw new IllegalArgumentException("uplink interface and uplink bridge are both " + bridge);
        }
        RtNetlink rtnl = netlink.node();
        Optional<Moved> recorded = findBridge().flatMap(b -> Moved.fromExternalIds(bridge, b.externalIds()));
        if (recorded.isPresent() && !recorded.get().uplink().equals(uplink)) {
            throw new IllegalStateException("bridge " + bridge + " already holds uplink " + recorded.get().uplink()
                    + ", not " + uplink + "; restore it first");
        }
        Moved moved;
        if (recorded.isPresent()) {
            moved = recorded.get();
        } else {
            Link link = rtnl.links().get(uplink).orElseThrow(() -> new IllegalStateException(
                    "uplink interface " + uplink + " does not exist in " + netlink.nodeNamespace().description()));
            moved = new Moved(uplink, addressesOn(rtnl, link.index()), routesVia(rtnl, link.index()));
            // Recorded before anything moves: an agent that dies half-way still knows what to restore.
        }
        Map<String, String> ids = new LinkedHashMap<>(moved.externalIds());
        ids.put(ARP_IGNORE_ID, findBridge().map(b -> b.externalIds().get(ARP_IGNORE_ID))
                .orElseGet(() -> netlink.sysctl(arpIgnoreKey(uplink))));
        // Standalone (no fail_mode): br-phy is a plain learning switch between the uplink and the node
        // (NORMAL), nobody programs flows on it; fail_mode secure would drop all node traffic.
        BridgeSpec spec = BridgeSpec.of(bridge, DatapathType.NETDEV).withFailMode(Optional.empty())
                .withExternalIds(ids);
        MacAddress bridgeMac = pinBridgeMac(rtnl, spec);
        boolean onBridge = Await.result(db.listPorts(bridge), timeout, "list ports of " + bridge).stream()
                .map(PortInfo::name).anyMatch(uplink::equals);
        if (!onBridge) {
            Await.result(db.addPort(bridge, PortSpec.of(uplink, InterfaceType.SYSTEM)), timeout,
                    "add uplink " + uplink + " to " + bridge);
        }
        // The netdev datapath reads the uplink with AF_PACKET: it must be up, addresses or not. The
        // kernel sees the uplink's frames too and, the node IP being local, would answer ARP for it
        // with the uplink's MAC before the bridge does: peers would then send to a MAC nobody serves.
        netlink.setSysctl(arpIgnoreKey(uplink), "8");
        rtnl.links().setUp(uplink);
        int uplinkIndex = rtnl.links().require(uplink).index();
        int bridgeIndex = awaitLink(rtnl, bridge, Optional.of(bridgeMac)).index();
        for (IpPrefix a : moved.addresses()) {
            IdempotentNetlink.deleteAddress(rtnl, uplinkIndex, a); // its routes through the uplink go with it
            IdempotentNetlink.addAddress(rtnl, bridgeIndex, a);
        }
        for (MovedRoute r : moved.routes()) {
            IdempotentNetlink.deleteRoute(rtnl, r.on(uplinkIndex)); // a route that did not depend on a moved address
        }
        rtnl.links().setUp(bridge);
        for (MovedRoute r : moved.routes()) {
            IdempotentNetlink.addRoute(rtnl, r.on(bridgeIndex));
        }
        LOG.info("uplink {} on bridge {}: addresses {} routes {}", uplink, bridge, moved.addresses(), moved.routes());
        return moved;
    }

    /**
     * Moves the recorded addresses and routes back to the uplink and deletes the bridge; false when
     * there is no bridge. A bridge without the record is not this class's and is left alone (error).
     */
    public boolean restore() {
        Optional<BridgeInfo> found = findBridge();
        if (found.isEmpty()) {
            return false;
        }
        Moved moved = Moved.fromExternalIds(bridge, found.get().externalIds()).orElseThrow(() ->
                new IllegalStateException("bridge " + bridge + " has no external_ids:" + UPLINK_ID
                        + ": not set up by trellis, not deleting it"));
        Await.result(db.deleteBridge(bridge), timeout, "delete uplink bridge " + bridge);
        String arpIgnore = found.get().externalIds().get(ARP_IGNORE_ID);
        if (arpIgnore != null) {
            netlink.setSysctl(arpIgnoreKey(moved.uplink()), arpIgnore);
        }
        RtNetlink rtnl = netlink.node();
        awaitGone(rtnl, bridge); // its device takes the moved addresses and routes with it
        int uplinkIndex = rtnl.links().require(moved.uplink()).index();
        rtnl.links().setUp(moved.uplink());
        for (IpPrefix a : moved.addresses()) {
            IdempotentNetlink.addAddress(rtnl, uplinkIndex, a);
        }
        for (MovedRoute r : moved.routes()) {
            IdempotentNetlink.addRoute(rtnl, r.on(uplinkIndex));
        }
        LOG.info("bridge {} deleted; uplink {} has its addresses {} and routes {} back", bridge, moved.uplink(),
                moved.addresses(), moved.routes());
        return true;
    }

    /**
     * Ensures the bridge with its MAC pinned in other_config:hwaddr and returns that MAC. ovs-vswitchd
     * sets the device's MAC after creating it and again when the ports change (it prefers a port's
     * global MAC), and a tap device is taken down to change its MAC (lib/netdev-linux.c,
     * netdev_linux_set_etheraddr), which flushes every route through it: pinned, the MAC changes only
     * while the new device is still down, before any address or route is put on it. The MAC pinned
     * is the one ovs-vswitchd first gave the device, not the uplink's: frames to the uplink's own MAC
     * would also reach the node's stack through the uplink (the netdev datapath reads it with
     * AF_PACKET, which does not take them from the kernel).
     */
    private MacAddress pinBridgeMac(RtNetlink rtnl, BridgeSpec spec) {
        Optional<String> pinned = findBridge().map(b -> b.otherConfig().get(HWADDR));
        if (pinned.isPresent()) {
            Await.result(db.ensureBridge(spec.withOtherConfig(Map.of(HWADDR, pinned.get()))), timeout,
                    "ensure uplink bridge " + bridge);
            try {
                return MacAddress.parse(pinned.get());
            } catch (RuntimeException e) {
                throw new IllegalStateException("bridge " + bridge + " other_config:" + HWADDR + ": cannot read '"
                        + pinned.get() + "': " + e.getMessage(), e);
            }
        }
        Await.result(db.ensureBridge(spec), timeout, "ensure uplink bridge " + bridge);
        MacAddress mac = awaitLink(rtnl, bridge, Optional.empty()).mac().orElseThrow(() ->
                new IllegalStateException("device " + bridge + " has no MAC address"));
        Await.result(db.ensureBridge(spec.withOtherConfig(Map.of(HWADDR, mac.toString()))), timeout,
                "pin the MAC of uplink bridge " + bridge);
        return mac;
    }

    private static String arpIgnoreKey(String uplink) {
        return "net/ipv4/conf/" + uplink + "/arp_ignore";
    }

    private Optional<BridgeInfo> findBridge() {
        return Await.result(db.listBridges(), timeout, "list bridges").stream()
                .filter(b -> b.name().equals(bridge)).findFirst();
    }

    private static List<IpPrefix> addressesOn(RtNetlink rtnl, int index) {
        return rtnl.addresses().listOn(index).stream().filter(a -> a.family() == Syscalls.AF_INET)
                .map(Address::prefix).toList();
    }

    /** Main-table IPv4 routes out of the link, without those the kernel derives from its addresses. */
    private static List<MovedRoute> routesVia(RtNetlink rtnl, int index) {
        List<MovedRoute> routes = new ArrayList<>();
        for (Route r : rtnl.routes().list(Syscalls.AF_INET, Rtm.RT_TABLE_MAIN)) {
            if (r.outputIndex().orElse(-1) == index && r.protocol() != Rtm.RTPROT_KERNEL && r.table() == Rtm.RT_TABLE_MAIN
                    && r.type() == Rtm.RTN_UNICAST) {
                routes.add(new MovedRoute(r.destination(), r.gateway()));
            }
        }
        return routes;
    }

    /**
     * ovs-vswitchd creates the bridge's internal device shortly after the transaction, then sets its
     * MAC; wait for both (any MAC when {@code mac} is empty).
     */
    private Link awaitLink(RtNetlink rtnl, String name, Optional<MacAddress> mac) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Link> link = rtnl.links().get(name);
            if (link.isPresent() && (mac.isEmpty() || link.get().mac().equals(mac))) {
                return link.get();
            }
            check(deadline, "device " + name + link.map(l -> " has MAC " + l.mac().map(Object::toString).orElse("none")
                    + ", not " + mac.map(Object::toString).orElse("")).orElse(" did not appear"));
        }
    }

    private void awaitGone(RtNetlink rtnl, String name) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (rtnl.links().get(name).isPresent()) {
            check(deadline, "device " + name + " was not removed");
        }
    }

    private void check(long deadline, String failure) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(failure + " in " + netlink.nodeNamespace().description() + " within "
                    + timeout.toMillis() + " ms");
        }
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for OVS", e);
        }
    }
}
