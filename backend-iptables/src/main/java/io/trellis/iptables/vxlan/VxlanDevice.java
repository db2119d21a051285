package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.Errno;
import io.trellis.netlink.route.Address;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.LinkSpec;
import io.trellis.netlink.route.MacAddress;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.route.VxlanSpec;
import io.trellis.spi.node.NodeRouteException;
import java.net.Inet4Address;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges the node's VXLAN device to {@link Desired}: created when missing, recreated when its
 * VNI, port, local address, underlay device or learning differ, then MAC, MTU, the single IPv4
 * address (the VTEP IP /32) and the up state corrected in place. Each step reads first and changes
 * only what differs, since the agent calls this at every full sync.
 */
final class VxlanDevice {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanDevice.class);

    /**
     * @param mtu    the underlay's MTU minus the VXLAN overhead
     * @param vtepIp this node's pod CIDR network address, the device's only IPv4 address (/32): the
     *               source of the node's own packets to remote pods and the next hop other nodes'
     *               routes name
     */
    record Desired(String name, int vni, int port, Inet4Address local, int underlayIndex, MacAddress mac, int mtu,
            Inet4Address vtepIp) {
        Desired {
            requireNonNull(name, "name");
            requireNonNull(local, "local");
            requireNonNull(mac, "mac");
            requireNonNull(vtepIp, "vtepIp");
        }

        boolean sameTunnel(VxlanLinkInfo info) {
            return info.vni() == vni && info.port() == port && info.local().equals(Optional.of(local))
                    && info.underlayIndex().equals(OptionalInt.of(underlayIndex)) && !info.learning();
        }
    }

    /** @param created whether the device is new (entries that lived on an older one are gone) */
    record Ensured(int index, boolean created) {
    }

    private VxlanDevice() {
    }

    static Ensured ensure(RtNetlink rtnl, Desired d) {
        Optional<Link> existing = rtnl.links().get(d.name());
        if (existing.isPresent()) {
            Link link = existing.get();
            if (!link.kind().equals(Optional.of("vxlan"))) {
                throw new NodeRouteException("vxlan: device " + d.name() + " exists and is a "
                        + link.kind().orElse("plain") + " device, not VXLAN; remove it or set settings.vxlan.device");
            }
            Optional<VxlanLinkInfo> info = VxlanLinkInfo.of(link);
            if (info.isEmpty() || !d.sameTunnel(info.get())) {
                LOG.info("vxlan: replacing device {} ({} -> vni {} port {} local {} underlay {} nolearning)", d.name(),
                        info.map(VxlanLinkInfo::describe).orElse("unreadable"), d.vni(), d.port(),
                        d.local().getHostAddress(), d.underlayIndex());
                Idempotent.delete(() -> rtnl.links().delete(d.name()));
                existing = Optional.empty();
            }
        }
        boolean created = existing.isEmpty();
        if (created) {
            rtnl.links().createVxlan(VxlanSpec.of(LinkSpec.named(d.name()).withMtu(d.mtu()).withMac(d.mac()), d.vni())
                    .withLocal(d.local()).withUnderlay(d.underlayIndex()).withDstPort(d.port()).withLearning(false));
            LOG.info("vxlan: created {} vni {} port {} local {} mac {}", d.name(), d.vni(), d.port(),
                    d.local().getHostAddress(), d.mac());
        }
        Link link = rtnl.links().require(d.name());
        if (!link.mac().equals(Optional.of(d.mac()))) {
            rtnl.links().setMac(d.name(), d.mac());
        }
        if (link.mtu() != d.mtu()) {
            rtnl.links().setMtu(d.name(), d.mtu());
        }
        IpPrefix vtep = new IpPrefix(d.vtepIp(), 32);
        boolean hasVtep = false;
        for (Address a : rtnl.addresses().listOn(link.index())) {
            if (a.family() != Rtm.AF_INET) {
                continue;
            }
            if (a.prefix().equals(vtep)) {
                hasVtep = true;
            } else {
                Idempotent.delete(() -> rtnl.addresses().delete(a));
            }
        }
        if (!hasVtep) {
            Idempotent.run(() -> rtnl.addresses().add(link.index(), vtep), Errno.EEXIST);
        }
        if (!link.isUp()) {
            rtnl.links().setUp(d.name());
        }
        return new Ensured(link.index(), created);
    }
}
