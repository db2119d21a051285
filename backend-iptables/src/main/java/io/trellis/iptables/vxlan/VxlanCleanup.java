package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.RtNetlink;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what {@link VxlanNodeRouteDriver} did to a node: deletes the VXLAN device (with it go its
 * address, FDB and ARP entries and the routes through it) and every remaining route with protocol
 * {@link VxlanNodeRouteDriver#RTPROT_TRELLIS_VXLAN} (the host-gateway routes). A device of that name
 * that is not VXLAN is someone else's and stays. Idempotent.
 */
final class VxlanCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanCleanup.class);

    private VxlanCleanup() {
    }

    /** Returns what was removed, for the log. */
    static List<String> run(RtNetlink rtnl, VxlanSettings settings) {
        requireNonNull(rtnl, "rtnl");
        requireNonNull(settings, "settings");
        List<String> removed = new java.util.ArrayList<>();
        Optional<Link> device = rtnl.links().get(settings.device());
        if (device.isPresent() && device.get().kind().equals(Optional.of("vxlan"))) {
            Idempotent.delete(() -> rtnl.links().delete(settings.device()));
            removed.add("device " + settings.device());
        } else if (device.isPresent()) {
            LOG.warn("vxlan uninstall: {} is a {} device, not this backend's VXLAN device: left alone",
                    settings.device(), device.get().kind().orElse("plain"));
        }
        KernelEntries kernel = new KernelEntries(rtnl);
        for (KernelEntry.PodRoute r : kernel.ownRoutes()) {
            Idempotent.delete(() -> rtnl.routes().delete(r.toRoute()));
            removed.add(r.describe());
        }
        LOG.info("vxlan uninstall: removed {}", removed.isEmpty() ? "nothing" : removed);
        return removed;
    }
}
