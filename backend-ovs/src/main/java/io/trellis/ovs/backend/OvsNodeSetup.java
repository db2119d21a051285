package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.ovs.ovsdb.Atom;
import io.trellis.ovs.ovsdb.BridgeSpec;
import io.trellis.ovs.ovsdb.Condition;
import io.trellis.ovs.ovsdb.InterfaceInfo;
import io.trellis.ovs.ovsdb.Mutation;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.Operation;
import io.trellis.ovs.ovsdb.OvsdbMap;
import io.trellis.ovs.ovsdb.OvsdbSet;
import io.trellis.ovs.ovsdb.PortInfo;
import io.trellis.ovs.ovsdb.PortSpec;
import io.trellis.ovs.ovsdb.Row;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.spi.model.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the node's side of the data plane to its desired state, idempotently (at every agent
 * start and after ovs-vswitchd restarts, which recreate internal ports without their addresses):
 * the integration bridge (datapath from the settings, OpenFlow 1.3 and 1.5, fail_mode secure, so
 * it forwards nothing until the agent's flows are in), and its gateway: an internal port whose
 * kernel device holds the first address of the pod CIDR, the pods' default gateway and their way
 * to the node and beyond (IPv4 forwarding and masquerade by {@link NodeMasquerade}).
 */
public final class OvsNodeSetup {

    /** The gateway internal port on the integration bridge (also its Linux device name). */
    public static final String GATEWAY_PORT = "trellis-gw0";
    /** external_ids marking the gateway port as the backend's. */
    static final Map<String, String> GATEWAY_IDS = Map.of("trellis.role", "gateway");

    private static final Logger LOG = LoggerFactory.getLogger(OvsNodeSetup.class);
    private static final Duration POLL = Duration.ofMillis(20);

    private final OvsSettings settings;
    private final OpenVSwitchDatabase db;
    private final NodeNetlink netlink;
    private final Duration timeout;
    private final NodeMasquerade masquerade;

    public OvsNodeSetup(OvsSettings settings, OpenVSwitchDatabase db, NodeNetlink netlink, Duration timeout) {
        this.settings = requireNonNull(settings, "settings");
        this.db = requireNonNull(db, "db");
        this.netlink = requireNonNull(netlink, "netlink");
        this.timeout = requireNonNull(timeout, "timeout");
        this.masquerade = NodeMasquerade.inNode(netlink, timeout);
    }

    /** The gateway of a pod CIDR: its first host address (10.244.1.0/24 → 10.244.1.1). */
    public static Inet4Address gatewayIp(Ipv4Subnet podCidr) {
        if (podCidr.prefixLength() > 30) {
            throw new IllegalArgumentException("pod CIDR " + podCidr + " is too small: a /30 or larger holds a gateway"
                    + " and at least one pod");
        }
        byte[] b = podCidr.network().getAddress();
        b[3] = (byte) (b[3] + 1); // the network address has its host bits clear, so this never carries
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    /** Ensures the bridge and the gateway; returns what the pipeline needs to know about them. */
    public NodeNetwork bringUp(Ipv4Subnet podCidr) {
        requireNonNull(podCidr, "podCidr");
        Inet4Address gatewayIp = gatewayIp(podCidr);
        MacAddress gatewayMac = PodPortNaming.macFor(gatewayIp);
        String bridge = settings.integrationBridge();

        settings.pmdCpuMask().ifPresent(this::setPmdCpuMask);
        Await.result(db.ensureBridge(BridgeSpec.of(bridge, settings.datapathType())), timeout, "ensure bridge " + bridge);

        boolean onBridge = Await.result(db.listPorts(bridge), timeout, "list ports of " + bridge).stream()
                .map(PortInfo::name).anyMatch(GATEWAY_PORT::equals);
        if (!onBridge) {
            Optional<InterfaceInfo> elsewhere = Await.result(db.getInterface(GATEWAY_PORT), timeout,
                    "look up interface " + GATEWAY_PORT);
            if (elsewhere.isPresent()) {
                throw new IllegalStateException("interface " + GATEWAY_PORT + " exists in OVS but not on bridge " + bridge
                        + "; remove it (ovs-vsctl del-port " + GATEWAY_PORT + ")");
            }
            Await.result(db.addPort(bridge, PortSpec.internal(GATEWAY_PORT).withExternalIds(GATEWAY_IDS)), timeout,
                    "add gateway port " + GATEWAY_PORT + " to " + bridge);
        }
        // The MAC goes into the Interface row, so ovs-vswitchd sets it again whenever it recreates the device.
        setInterfaceMac(GATEWAY_PORT, gatewayMac);
        long ofport = Await.result(db.awaitOfport(GATEWAY_PORT, timeout), timeout.plusSeconds(1),
                "wait for the ofport of " + GATEWAY_PORT);

        configureGatewayDevice(gatewayIp, podCidr.prefixLength(), gatewayMac);
        // Egress beyond the pod CIDR: forwarding plus masquerade. Kept when the agent stops (pods keep
        // their connectivity across restarts); removed only by uninstallNodeRules().
        masquerade.install(MasqueradeRules.forPodCidr(podCidr));
        LOG.info("bridge {} ({}) ready; gateway {} ofport {} {}/{} {}", bridge, settings.datapathType().ovsName(),
                GATEWAY_PORT, ofport, gatewayIp.getHostAddress(), podCidr.prefixLength(), gatewayMac);
        return new NodeNetwork((int) ofport, gatewayIp,
                io.trellis.ovs.openflow.match.MacAddress.parse(gatewayMac.toString()), podCidr);
    }

    /**
     * Removes what {@link #bringUp} put into the node's iptables (the TRELLIS chains); for an explicit
     * node clean-up, never on agent stop. Bridge and gateway stay.
     */
    public void uninstallNodeRules() {
        masquerade.uninstall();
    }

    private void configureGatewayDevice(Inet4Address ip, int prefixLength, MacAddress mac) {
        RtNetlink rtnl = netlink.node();
        Link link = awaitLink(rtnl, GATEWAY_PORT);
        io.trellis.netlink.route.MacAddress wanted = new io.trellis.netlink.route.MacAddress(mac.value());
        if (!link.mac().map(wanted::equals).orElse(false)) {
            // ovs-vswitchd applies the Interface mac column asynchronously; do not race it.
            rtnl.links().setMac(GATEWAY_PORT, wanted);
        }
        try {
            rtnl.addresses().add(link.index(), new IpPrefix(ip, prefixLength));
        } catch (NetlinkException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
        }
        // Unlike a pod's veth, the gateway needs no TX checksum change with the netdev datapath: a TAP
        // device without a virtio-net header hands OVS packets whose checksums the kernel completed.
        rtnl.links().setUp(GATEWAY_PORT);
    }

    /** ovs-vswitchd creates an internal port's device shortly after the transaction; wait for it. */
    private Link awaitLink(RtNetlink rtnl, String name) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Link> link = rtnl.links().get(name);
            if (link.isPresent()) {
                return link.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("device " + name + " did not appear in the node namespace "
                        + netlink.nodeNamespace().description() + " within " + timeout.toMillis() + " ms");
            }
            sleep();
        }
    }

    private void setInterfaceMac(String name, MacAddress mac) {
        long updated = Await.result(db.client().transact(OpenVSwitchDatabase.DATABASE,
                new Operation.Update("Interface", List.of(Condition.eq("name", name)),
                        Row.builder().put("mac", OvsdbSet.of(Atom.of(mac.toString()))).build())),
                timeout, "set mac of interface " + name).count(0);
        if (updated != 1) {
            throw new IllegalStateException("interface " + name + " vanished while setting its MAC");
        }
    }

    private void setPmdCpuMask(String mask) {
        Await.result(db.client().transact(OpenVSwitchDatabase.DATABASE,
                new Operation.Mutate("Open_vSwitch", List.of(), List.of(
                        Mutation.delete("other_config", OvsdbSet.ofStrings(List.of("pmd-cpu-mask"))),
                        Mutation.insert("other_config", OvsdbMap.ofStrings(Map.of("pmd-cpu-mask", mask)))))),
                timeout, "set other_config:pmd-cpu-mask");
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for OVS", e);
        }
    }
}
