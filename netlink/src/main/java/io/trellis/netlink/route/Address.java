package io.trellis.netlink.route;

import java.util.Objects;
import java.util.Optional;

/**
 * An interface address (RTM_NEWADDR): link index, address with prefix length, scope (RT_SCOPE_*), flags
 * (IFA_F_*, from IFA_FLAGS when present) and, for IPv4, the label.
 */
public record Address(int index, IpPrefix prefix, int scope, int flags, Optional<String> label) {
    public Address {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(label, "label");
        if (index <= 0) {
            throw new IllegalArgumentException("address " + prefix + ": interface index must be positive, got " + index);
        }
    }

    public static Address of(int index, IpPrefix prefix) {
        return new Address(index, prefix, Rtm.RT_SCOPE_UNIVERSE, 0, Optional.empty());
    }

    public int family() {
        return prefix.family();
    }

    /** Skip IPv6 duplicate address detection, so the address is usable at once (IFA_F_NODAD). */
    public Address withoutDad() {
        return new Address(index, prefix, scope, flags | Rtm.IFA_F_NODAD, label);
    }
}
