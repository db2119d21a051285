package io.trellis.ovs.backend;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.Neighbour;
import io.trellis.netlink.route.Route;
import io.trellis.netlink.route.RtNetlink;

/**
 * Netlink changes stated as desired end states: adding what exists and deleting what is gone are
 * not errors (setup code re-runs at every agent start and after ovs-vswitchd restarts).
 */
final class IdempotentNetlink {

    private IdempotentNetlink() {
    }

    static void addAddress(RtNetlink rtnl, int index, IpPrefix address) {
        ignore(() -> rtnl.addresses().add(index, address), Errno.EEXIST);
    }

    static void deleteAddress(RtNetlink rtnl, int index, IpPrefix address) {
        ignore(() -> rtnl.addresses().delete(index, address), Errno.EADDRNOTAVAIL, Errno.ENOENT);
    }

    static void addRoute(RtNetlink rtnl, Route route) {
        ignore(() -> rtnl.routes().add(route), Errno.EEXIST);
    }

    static void deleteRoute(RtNetlink rtnl, Route route) {
        ignore(() -> rtnl.routes().delete(route), Errno.ESRCH, Errno.ENOENT);
    }

    static void deleteNeighbour(RtNetlink rtnl, Neighbour neighbour) {
        ignore(() -> rtnl.neighbours().delete(neighbour), Errno.ENOENT, Errno.ESRCH);
    }

    private static void ignore(Runnable change, Errno... fine) {
        try {
            change.run();
        } catch (NetlinkException e) {
            for (Errno errno : fine) {
                if (e.is(errno)) {
                    return;
                }
            }
            throw e;
        }
    }
}
