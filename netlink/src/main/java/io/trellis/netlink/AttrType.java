package io.trellis.netlink;

import java.util.Objects;

/**
 * An attribute type id together with its name in the kernel headers, so that errors about a malformed
 * or missing attribute can name it ("IFLA_MTU (4)").
 */
public record AttrType(int id, String name) {
    public AttrType {
        Objects.requireNonNull(name, "name");
        if (id < 0 || id > Netlink.NLA_TYPE_MASK) {
            throw new IllegalArgumentException("attribute " + name + ": type " + id + " out of range 0.." + Netlink.NLA_TYPE_MASK);
        }
    }

    @Override
    public String toString() {
        return name + " (" + id + ")";
    }
}
