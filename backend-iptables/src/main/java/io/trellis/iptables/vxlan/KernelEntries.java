package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.Nda;
import io.trellis.netlink.route.Neighbour;
import io.trellis.netlink.route.Route;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the entries this backend owns from the kernel and carries out {@link EntryPlan}s, through
 * one rtnetlink socket in the node's namespace. Ownership: routes of the main table with protocol
 * {@link VxlanNodeRouteDriver#RTPROT_TRELLIS_VXLAN}; permanent ARP entries and FDB entries with a
 * destination on the VXLAN device, which nothing else programs (learning is off).
 */
final class KernelEntries {
    private final RtNetlink rtnl;

    KernelEntries(RtNetlink rtnl) {
        this.rtnl = requireNonNull(rtnl, "rtnl");
    }

    /** Every owned entry present now; {@code vxlanIndex} 0 when there is no VXLAN device (routes only). */
    List<KernelEntry> observe(int vxlanIndex) {
        List<KernelEntry> out = new ArrayList<>(ownRoutes());
        if (vxlanIndex <= 0) {
            return out;
        }
        for (Neighbour n : rtnl.neighbours().list(Rtm.AF_INET)) {
            if (n.index() == vxlanIndex && (n.state() & Nda.NUD_PERMANENT) != 0 && n.lladdr().isPresent()
                    && n.destination().orElse(null) instanceof Inet4Address ip) {
                out.add(new KernelEntry.Arp(ip, n.lladdr().get()));
            }
        }
        for (Neighbour n : rtnl.neighbours().list(Rtm.AF_BRIDGE)) {
            if (n.index() == vxlanIndex && n.lladdr().isPresent() && n.destination().orElse(null) instanceof Inet4Address ip) {
                out.add(new KernelEntry.Fdb(n.lladdr().get(), ip));
            }
        }
        return out;
    }

    /** The routes of the main table that carry this backend's protocol (the device they use does not matter). */
    List<KernelEntry.PodRoute> ownRoutes() {
        List<KernelEntry.PodRoute> out = new ArrayList<>();
        for (Route r : rtnl.routes().list(Rtm.AF_INET, Rtm.RT_TABLE_MAIN)) {
            if (r.protocol() == VxlanNodeRouteDriver.RTPROT_TRELLIS_VXLAN && r.gateway().isPresent()
                    && r.outputIndex().isPresent()) {
                out.add(new KernelEntry.PodRoute(r.destination(), r.gateway().get(), r.outputIndex().getAsInt(),
                        (r.flags() & Rtm.RTNH_F_ONLINK) != 0));
            }
        }
        return out;
    }

    /** Deletes, then writes (add or replace); deleting what is already gone is fine. */
    void apply(EntryPlan plan, int vxlanIndex) {
        for (KernelEntry e : plan.deletions()) {
            if (e instanceof KernelEntry.PodRoute r) {
                Idempotent.delete(() -> rtnl.routes().delete(r.toRoute()));
            } else if (e instanceof KernelEntry.Arp a) {
                Idempotent.delete(() -> rtnl.neighbours().delete(a.toNeighbour(vxlanIndex)));
            } else if (e instanceof KernelEntry.Fdb f) {
                Idempotent.delete(() -> rtnl.neighbours().delete(f.toNeighbour(vxlanIndex)));
            }
        }
        for (KernelEntry e : plan.writes()) {
            if (e instanceof KernelEntry.PodRoute r) {
                rtnl.routes().replace(r.toRoute());
            } else if (e instanceof KernelEntry.Arp a) {
                rtnl.neighbours().replace(a.toNeighbour(vxlanIndex));
            } else if (e instanceof KernelEntry.Fdb f) {
                rtnl.neighbours().replace(f.toNeighbour(vxlanIndex));
            }
        }
    }
}
