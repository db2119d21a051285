package io.trellis.iptables.vxlan;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;

/**
 * Netlink changes stated as end states: deleting what is already gone, or adding what is already
 * there, is not an error (the driver re-converges after restarts and partial failures).
 */
final class Idempotent {
    private Idempotent() {
    }

    static void run(Runnable change, Errno... fine) {
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

    /** A deletion: the object (or its device) being absent already is the desired end state. */
    static void delete(Runnable change) {
        run(change, Errno.ENOENT, Errno.ESRCH, Errno.ENODEV, Errno.EADDRNOTAVAIL);
    }
}
