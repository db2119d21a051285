package io.trellis.netlink.route;

import io.trellis.netlink.AttrType;

/** Route attributes: enum rtattr_type_t RTA_* (linux/rtnetlink.h). */
public final class Rta {
    private Rta() {
    }

    public static final AttrType DST = new AttrType(1, "RTA_DST");
    public static final AttrType SRC = new AttrType(2, "RTA_SRC");
    public static final AttrType IIF = new AttrType(3, "RTA_IIF");
    public static final AttrType OIF = new AttrType(4, "RTA_OIF");
    public static final AttrType GATEWAY = new AttrType(5, "RTA_GATEWAY");
    public static final AttrType PRIORITY = new AttrType(6, "RTA_PRIORITY");
    public static final AttrType PREFSRC = new AttrType(7, "RTA_PREFSRC");
    public static final AttrType METRICS = new AttrType(8, "RTA_METRICS");
    public static final AttrType MULTIPATH = new AttrType(9, "RTA_MULTIPATH");
    public static final AttrType TABLE = new AttrType(15, "RTA_TABLE");
    public static final AttrType PREF = new AttrType(20, "RTA_PREF");
}
