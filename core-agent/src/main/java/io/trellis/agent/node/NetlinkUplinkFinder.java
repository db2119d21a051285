package io.trellis.agent.node;

import io.trellis.netlink.route.Address;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.Route;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.sys.Syscalls;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Finds the uplink over rtnetlink in the agent's own network namespace: the link holding one of
 * the Node's internal IPs, else the link of the IPv4 (then IPv6) default route.
 */
public final class NetlinkUplinkFinder implements UplinkFinder {
    private final Syscalls sys;

    public NetlinkUplinkFinder(Syscalls sys) {
        this.sys = sys;
    }

    @Override
    public Uplink find(List<InetAddress> nodeIps) {
        try (RtNetlink rt = RtNetlink.open(sys)) {
            List<Address> addresses = rt.addresses().list();
            for (InetAddress ip : nodeIps) {
                for (Address a : addresses) {
                    if (a.prefix().address().equals(ip)) {
                        return uplink(rt, a.index());
                    }
                }
            }
            for (int family : new int[] {Rtm.AF_INET, Rtm.AF_INET6}) {
                Optional<OptionalInt> oif = rt.routes().list(family).stream()
                        .filter(Route::isDefault).map(Route::outputIndex).filter(OptionalInt::isPresent).findFirst();
                if (oif.isPresent()) {
                    return uplink(rt, oif.get().getAsInt());
                }
            }
        }
        throw new IllegalStateException("no interface holds the node's internal IP(s) "
                + nodeIps.stream().map(InetAddress::getHostAddress).toList() + " and there is no default route");
    }

    private static Uplink uplink(RtNetlink rt, int index) {
        Link link = rt.links().get(index).orElseThrow(() -> new IllegalStateException("link index " + index
                + " disappeared while looking for the uplink"));
        return new Uplink(link.name(), link.mtu());
    }
}
