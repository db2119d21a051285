package io.trellis.netlink.route;

import io.trellis.netlink.netns.NetNamespace;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What to create for one new link (or one end of a veth pair): its name, and optionally the network
 * namespace to create it in (an open descriptor; keep the {@link NetNamespace} open until the request
 * returns), MTU and MAC address.
 */
public record LinkSpec(String name, OptionalInt namespaceFd, OptionalInt mtu, Optional<MacAddress> mac) {
    public LinkSpec {
        InterfaceName.check(name);
        Objects.requireNonNull(namespaceFd, "namespaceFd");
        Objects.requireNonNull(mtu, "mtu");
        Objects.requireNonNull(mac, "mac");
        if (mtu.isPresent() && mtu.getAsInt() <= 0) {
            throw new IllegalArgumentException("link " + name + ": MTU must be positive, got " + mtu.getAsInt());
        }
        if (namespaceFd.isPresent() && namespaceFd.getAsInt() < 0) {
            throw new IllegalArgumentException("link " + name + ": invalid netns fd " + namespaceFd.getAsInt());
        }
    }

    public static LinkSpec named(String name) {
        return new LinkSpec(name, OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
    }

    public LinkSpec inNamespace(NetNamespace namespace) {
        return new LinkSpec(name, OptionalInt.of(namespace.fd()), mtu, mac);
    }

    public LinkSpec withMtu(int value) {
        return new LinkSpec(name, namespaceFd, OptionalInt.of(value), mac);
    }

    public LinkSpec withMac(MacAddress value) {
        return new LinkSpec(name, namespaceFd, mtu, Optional.of(value));
    }
}
