package io.trellis.netlink.route;

import io.trellis.netlink.AttrType;

/** Address attributes: enum IFA_* (linux/if_addr.h). */
public final class Ifa {
    private Ifa() {
    }

    public static final AttrType ADDRESS = new AttrType(1, "IFA_ADDRESS");
    public static final AttrType LOCAL = new AttrType(2, "IFA_LOCAL");
    public static final AttrType LABEL = new AttrType(3, "IFA_LABEL");
    public static final AttrType BROADCAST = new AttrType(4, "IFA_BROADCAST");
    public static final AttrType CACHEINFO = new AttrType(6, "IFA_CACHEINFO");
    /** u32 flags; supersedes the 8-bit ifa_flags. */
    public static final AttrType FLAGS = new AttrType(8, "IFA_FLAGS");
}
