package io.trellis.netlink.route;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkException;
import io.trellis.netlink.NetlinkMessage;
import io.trellis.netlink.NetlinkSocket;
import io.trellis.netlink.netns.NetNamespace;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Link operations over one rtnetlink socket (so in that socket's network namespace). */
public final class Links {
    private final NetlinkSocket socket;

    public Links(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public List<Link> list() {
        return socket.dump(LinkMessages.dumpLinks()).stream()
                .filter(m -> m.type() == Rtm.RTM_NEWLINK).map(LinkMessages::parse).toList();
    }

    public Optional<Link> get(String name) {
        return get(LinkRef.name(name));
    }

    public Optional<Link> get(int index) {
        return get(LinkRef.index(index));
    }

    /** The link, or empty when the kernel reports that it does not exist. */
    public Optional<Link> get(LinkRef ref) {
        try {
            return Optional.of(require(ref));
        } catch (NetlinkException e) {
            if (e.is(Errno.ENODEV)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The link; a missing one fails with "RTM_GETLINK eth9: No such device (ENODEV)". */
    public Link require(String name) {
        return require(LinkRef.name(name));
    }

    public Link require(LinkRef ref) {
        List<NetlinkMessage> replies = socket.request(LinkMessages.getLink(ref));
        return replies.stream().filter(m -> m.type() == Rtm.RTM_NEWLINK).findFirst().map(LinkMessages::parse)
                .orElseThrow(() -> new IllegalStateException("RTM_GETLINK " + ref.describe() + ": ACK without a link"));
    }

    public void createVeth(VethSpec spec) {
        socket.request(LinkMessages.newVeth(spec));
    }

    public void createBridge(LinkSpec spec) {
        socket.request(LinkMessages.newBridge(spec));
    }

    public void createVxlan(VxlanSpec spec) {
        socket.request(LinkMessages.newVxlan(spec));
    }

    /** Applies several changes in one request; a rename first resolves the name to its index. */
    public void modify(String name, LinkChange change) {
        LinkRef ref = change.newName().isPresent() ? LinkRef.index(require(name).index()) : LinkRef.name(name);
        modify(ref, change);
    }

    public void modify(LinkRef ref, LinkChange change) {
        socket.request(LinkMessages.setLink(ref, change));
    }

    public void setUp(String name) {
        modify(name, LinkChange.none().withUp(true));
    }

    public void setDown(String name) {
        modify(name, LinkChange.none().withUp(false));
    }

    public void setMtu(String name, int mtu) {
        modify(name, LinkChange.none().withMtu(mtu));
    }

    public void setMac(String name, MacAddress mac) {
        modify(name, LinkChange.none().withMac(mac));
    }

    public void rename(String name, String newName) {
        modify(name, LinkChange.none().withName(newName));
    }

    /** Moves the link into {@code target}; it disappears from this socket's namespace. */
    public void moveToNamespace(String name, NetNamespace target) {
        modify(name, LinkChange.none().withNamespace(target));
    }

    /** Enslaves the link to a bridge (or bond) in the same namespace. */
    public void setMaster(String name, String master) {
        modify(name, LinkChange.none().withMaster(require(master).index()));
    }

    public void clearMaster(String name) {
        modify(name, LinkChange.none().withMaster(0));
    }

    /** Deletes the link (for a veth, both ends). */
    public void delete(String name) {
        socket.request(LinkMessages.deleteLink(LinkRef.name(name)));
    }

    public void delete(int index) {
        socket.request(LinkMessages.deleteLink(LinkRef.index(index)));
    }
}
