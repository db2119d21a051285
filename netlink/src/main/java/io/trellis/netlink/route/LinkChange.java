package io.trellis.netlink.route;

import io.trellis.netlink.netns.NetNamespace;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Changes to an existing link, sent in one RTM_SETLINK. Empty fields are left alone.
 *
 * @param up set (true) or clear (false) IFF_UP
 * @param namespaceFd move the link to this netns (keep the {@link NetNamespace} open until the call returns)
 * @param masterIndex enslave to this bridge/bond; 0 releases the link from its master
 */
public record LinkChange(Optional<Boolean> up, OptionalInt mtu, Optional<MacAddress> mac, Optional<String> newName,
        OptionalInt namespaceFd, OptionalInt masterIndex) {
    public LinkChange {
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(mtu, "mtu");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(newName, "newName");
        Objects.requireNonNull(namespaceFd, "namespaceFd");
        Objects.requireNonNull(masterIndex, "masterIndex");
        newName.ifPresent(InterfaceName::check);
        if (mtu.isPresent() && mtu.getAsInt() <= 0) {
            throw new IllegalArgumentException("MTU must be positive, got " + mtu.getAsInt());
        }
        if (masterIndex.isPresent() && masterIndex.getAsInt() < 0) {
            throw new IllegalArgumentException("master index must be >= 0, got " + masterIndex.getAsInt());
        }
    }

    public static LinkChange none() {
        return new LinkChange(Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.empty(), OptionalInt.empty());
    }

    public LinkChange withUp(boolean value) {
        return new LinkChange(Optional.of(value), mtu, mac, newName, namespaceFd, masterIndex);
    }

    public LinkChange withMtu(int value) {
        return new LinkChange(up, OptionalInt.of(value), mac, newName, namespaceFd, masterIndex);
    }

    public LinkChange withMac(MacAddress value) {
        return new LinkChange(up, mtu, Optional.of(value), newName, namespaceFd, masterIndex);
    }

    public LinkChange withName(String value) {
        return new LinkChange(up, mtu, mac, Optional.of(value), namespaceFd, masterIndex);
    }

    public LinkChange withNamespace(NetNamespace namespace) {
        return new LinkChange(up, mtu, mac, newName, OptionalInt.of(namespace.fd()), masterIndex);
    }

    public LinkChange withMaster(int index) {
        return new LinkChange(up, mtu, mac, newName, namespaceFd, OptionalInt.of(index));
    }

    /** A short text for error messages, e.g. "up mtu 1450". */
    public String describe() {
        StringBuilder s = new StringBuilder();
        up.ifPresent(u -> s.append(u ? " up" : " down"));
        mtu.ifPresent(m -> s.append(" mtu ").append(m));
        mac.ifPresent(m -> s.append(" address ").append(m));
        newName.ifPresent(n -> s.append(" name ").append(n));
        namespaceFd.ifPresent(fd -> s.append(" netns fd ").append(fd));
        masterIndex.ifPresent(m -> s.append(m == 0 ? " nomaster" : " master ifindex " + m));
        return s.length() == 0 ? "(no change)" : s.substring(1);
    }
}
