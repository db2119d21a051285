package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.LinkSpec;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the data plane, brought to its desired state idempotently (at every driver start,
 * and again when an attach finds the bridge gone):
 * <ul>
 *   <li>the bridge, with MAC {@code 0a:58:<gateway IP>} (set explicitly, so it no longer follows its
 *       lowest port's MAC as ports come and go), the fixed MTU when the configuration has one (else the
 *       kernel keeps it at the smallest port MTU), the gateway address (the pod CIDR's first host
 *       address, as host-local IPAM and the ovs backend choose it) and up;</li>
 *   <li>{@code net.ipv4.ip_forward=1};</li>
 *   <li>{@code net.bridge.bridge-nf-call-iptables=1} where the kernel has bridge netfilter: an
 *       iptables Service proxy must see pod-to-pod frames the bridge forwards (a Service's DNAT to a
 *       pod on the same bridge is undone on the reply only if the reply passes conntrack);</li>
 *   <li>the {@link PodEgressRules}.</li>
 * </ul>
 * Nothing here is undone when the agent stops (pods keep their network); {@link #uninstall} does it.
 */
final class BridgeNode {

    static final String IP_FORWARD = "net/ipv4/ip_forward";
    static final String BRIDGE_NF_CALL_IPTABLES = "net/bridge/bridge-nf-call-iptables";

    private static final Logger LOG = LoggerFactory.getLogger(BridgeNode.class);

    private final BridgeSettings settings;
    private final IpPrefix podCidr;
    private final OptionalInt fixedMtu;
    private final NodeNamespace node;
    private final IptablesRunner iptables;
    private final Inet4Address gateway;
    private final MacAddress gatewayMac;

    BridgeNode(BridgeSettings settings, IpPrefix podCidr, OptionalInt fixedMtu, NodeNamespace node, IptablesRunner iptables) {
        this.settings = requireNonNull(settings, "settings");
        this.podCidr = requireNonNull(podCidr, "podCidr");
        this.fixedMtu = requireNonNull(fixedMtu, "fixedMtu");
        this.node = requireNonNull(node, "node");
        this.iptables = requireNonNull(iptables, "iptables");
        this.gateway = gatewayIp(podCidr);
        this.gatewayMac = HostVethNaming.macFor(gateway);
    }

    /** The gateway of a pod CIDR: its first host address (10.244.1.0/24 gives 10.244.1.1). */
    static Inet4Address gatewayIp(IpPrefix podCidr) {
        requireNonNull(podCidr, "podCidr");
        if (!podCidr.isIpv4()) {
            throw new IllegalArgumentException("the linux-bridge backend needs an IPv4 pod CIDR, got " + podCidr);
        }
        if (podCidr.prefixLength() > 30) {
            throw new IllegalArgumentException("pod CIDR " + podCidr + " is too small: a /30 or larger holds a gateway"
                    + " and at least one pod");
        }
        byte[] b = podCidr.network().getAddress();
        b[3] = (byte) (b[3] + 1); // host bits are clear in a network address, so this never carries
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    Inet4Address gateway() {
        return gateway;
    }

    MacAddress gatewayMac() {
        return gatewayMac;
    }

    IpPrefix podCidr() {
        return podCidr;
    }

    String bridgeName() {
        return settings.bridge();
    }

    PodEgressRules egressRules() {
        return PodEgressRules.of(podCidr, settings);
    }

    /** Everything: bridge, forwarding, bridge netfilter, egress rules. */
    synchronized void bringUp() {
        Link bridge = ensureBridge();
        enableIpv4Forwarding();
        BridgeNetfilter netfilter = ensureBridgeNetfilter();
        PodEgressRules rules = egressRules();
        iptables.restore(rules.installInput(iptables.save("nat"), iptables.save("filter")));
        LOG.info("bridge {} (ifindex {}) ready in netns {}: gateway {}/{} {}, {}; pod egress from {} {} (except to {})",
                settings.bridge(), bridge.index(), node.description(), gateway.getHostAddress(), podCidr.prefixLength(),
                gatewayMac, netfilter, podCidr, settings.masquerade() ? "masqueraded" : "not masqueraded",
                rules.keepSource());
        if (settings.masquerade() && settings.clusterCidr().isEmpty()) {
            // Right for one node; on more, pods would see other nodes' pods as their node's address.
            LOG.warn("settings.linux-bridge.{} is not set: pod traffic to other nodes' pods is masqueraded too;"
                    + " set it to the cluster's pod network on a multi-node cluster", BridgeSettings.CLUSTER_CIDR);
        }
    }

    /**
     * The bridge, created or repaired (kind, MAC, MTU, gateway address, up); a link of that name that is
     * not a bridge is an error, never replaced.
     */
    synchronized Link ensureBridge() {
        RtNetlink rtnl = node.rtnl();
        String name = settings.bridge();
        io.trellis.netlink.route.MacAddress mac = new io.trellis.netlink.route.MacAddress(gatewayMac.value());
        Link link = rtnl.links().get(name).orElse(null);
        if (link == null) {
            LinkSpec spec = fixedMtu.isPresent() ? LinkSpec.named(name).withMac(mac).withMtu(fixedMtu.getAsInt())
                    : LinkSpec.named(name).withMac(mac);
            ignoring(Errno.EEXIST, () -> rtnl.links().createBridge(spec));
            link = rtnl.links().require(name);
            LOG.info("created bridge {} in netns {}", name, node.description());
        }
        if (!link.kind().map("bridge"::equals).orElse(false)) {
            throw new IllegalStateException("link " + name + " in netns " + node.description() + " is a "
                    + link.kind().orElse("device of unknown kind") + ", not a bridge; remove it or choose another name ("
                    + BridgeSettings.BRIDGE + " setting)");
        }
        if (!link.mac().map(mac::equals).orElse(false)) {
            rtnl.links().setMac(name, mac);
        }
        if (fixedMtu.isPresent() && link.mtu() != fixedMtu.getAsInt()) {
            rtnl.links().setMtu(name, fixedMtu.getAsInt());
        }
        int index = link.index();
        ignoring(Errno.EEXIST, () -> rtnl.addresses().add(index,
                new io.trellis.netlink.route.IpPrefix(gateway, podCidr.prefixLength())));
        if (!link.isUp()) {
            rtnl.links().setUp(name);
        }
        return rtnl.links().require(name);
    }

    /** Whether the kernel has bridge netfilter here, and whether bridged IPv4 traffic passes iptables. */
    record BridgeNetfilter(boolean present, boolean callsIptables) {
        @Override
        public String toString() {
            return !present ? "no bridge netfilter (br_netfilter not loaded)"
                    : callsIptables ? "bridged traffic passes iptables" : "bridged traffic bypasses iptables";
        }
    }

    /** Turns {@value #BRIDGE_NF_CALL_IPTABLES} on when the kernel has it; warns when it has not. */
    BridgeNetfilter ensureBridgeNetfilter() {
        var value = node.sysctl(BRIDGE_NF_CALL_IPTABLES);
        if (value.isEmpty()) {
            LOG.warn("netns {} has no {}: load br_netfilter (modprobe br_netfilter) or an iptables Service proxy will"
                    + " not see traffic between pods on bridge {} (Services whose endpoint is on the same node break)",
                    node.description(), BRIDGE_NF_CALL_IPTABLES, settings.bridge());
            return new BridgeNetfilter(false, false);
        }
        if (!value.get().equals("1")) {
            node.setSysctl(BRIDGE_NF_CALL_IPTABLES, "1");
            LOG.info("{} set to 1 in netns {} (was {})", BRIDGE_NF_CALL_IPTABLES, node.description(), value.get());
        }
        return new BridgeNetfilter(true, true);
    }

    BridgeNetfilter bridgeNetfilter() {
        var value = node.sysctl(BRIDGE_NF_CALL_IPTABLES);
        return new BridgeNetfilter(value.isPresent(), value.map("1"::equals).orElse(false));
    }

    boolean ipv4ForwardingEnabled() {
        return node.sysctl(IP_FORWARD).map("1"::equals).orElse(false);
    }

    private void enableIpv4Forwarding() {
        if (ipv4ForwardingEnabled()) {
            return; // a write, even of the same value, also resets accept_redirects on every interface
        }
        node.setSysctl(IP_FORWARD, "1");
        LOG.info("IPv4 forwarding enabled in netns {}", node.description());
    }

    /**
     * Removes the bridge, every host veth of ours still on it or recorded in {@code store}, the iptables
     * chains and the records. IPv4 forwarding and bridge netfilter stay on: other software on the node
     * may rely on them. Idempotent.
     */
    static void uninstall(BridgeSettings settings, NodeNamespace node, IptablesRunner iptables, AttachmentStore store) {
        RtNetlink rtnl = node.rtnl();
        var bridge = rtnl.links().get(settings.bridge());
        boolean ours = bridge.isPresent() && bridge.get().kind().map("bridge"::equals).orElse(false);
        int removed = 0;
        for (Link link : rtnl.links().list()) {
            boolean port = ours && link.masterIndex().isPresent() && link.masterIndex().getAsInt() == bridge.get().index();
            if (port && HostVethNaming.isHostInterface(link.name())) {
                ignoring(Errno.ENODEV, () -> rtnl.links().delete(link.index()));
                removed++;
            }
        }
        for (AttachmentRecord record : store.list()) {
            ignoring(Errno.ENODEV, () -> rtnl.links().delete(record.hostInterface()));
            store.delete(record.hostInterface());
        }
        if (ours) {
            ignoring(Errno.ENODEV, () -> rtnl.links().delete(bridge.get().index()));
        } else if (bridge.isPresent()) {
            LOG.warn("link {} in netns {} is not a bridge; left alone", settings.bridge(), node.description());
        }
        String input = PodEgressRules.uninstallInput(iptables.save("nat"), iptables.save("filter"));
        if (!input.isEmpty()) {
            iptables.restore(input);
        }
        LOG.info("uninstalled from netns {}: bridge {}{}, {} pod veths, iptables chains {} and {}", node.description(),
                settings.bridge(), ours ? "" : " (absent)", removed, PodEgressRules.NAT_CHAIN, PodEgressRules.FORWARD_CHAIN);
    }

    private static void ignoring(Errno errno, Runnable action) {
        try {
            action.run();
        } catch (NetlinkException e) {
            if (!e.is(errno)) {
                throw e;
            }
        }
    }
}
