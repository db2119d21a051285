package io.trellis.netlink.route;

import io.trellis.netlink.Attributes;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A network interface as reported by RTM_NEWLINK. {@code attributes} keeps every attribute received,
 * including those this record does not interpret.
 *
 * @param hardwareType ifi_type (ARPHRD_*)
 * @param parentIndex IFLA_LINK: for a veth, the peer's index (in the peer's namespace)
 * @param linkNetnsId IFLA_LINK_NETNSID: set when the peer/parent lives in another namespace
 * @param operState IFLA_OPERSTATE (IF_OPER_*)
 */
public record Link(int index, String name, int hardwareType, int flags, int mtu, Optional<MacAddress> mac,
        Optional<String> kind, OptionalInt masterIndex, OptionalInt parentIndex, OptionalInt linkNetnsId,
        int operState, Attributes attributes) {
    public Link {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(masterIndex, "masterIndex");
        Objects.requireNonNull(parentIndex, "parentIndex");
        Objects.requireNonNull(linkNetnsId, "linkNetnsId");
        Objects.requireNonNull(attributes, "attributes");
    }

    @Override
    public String toString() {
        return "Link[" + index + " " + name + kind.map(k -> " (" + k + ")").orElse("") + " flags=0x"
                + Integer.toHexString(flags) + " mtu=" + mtu + mac.map(m -> " " + m).orElse("")
                + masterIndex.stream().mapToObj(m -> " master=" + m).findFirst().orElse("")
                + parentIndex.stream().mapToObj(p -> " link=" + p).findFirst().orElse("")
                + " attributes=" + attributes.all().size() + "]";
    }

    /** Administratively up (IFF_UP). */
    public boolean isUp() {
        return (flags & Rtm.IFF_UP) != 0;
    }

    /** Carrier present (IFF_LOWER_UP). */
    public boolean hasCarrier() {
        return (flags & Rtm.IFF_LOWER_UP) != 0;
    }
}
