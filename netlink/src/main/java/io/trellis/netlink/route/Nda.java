package io.trellis.netlink.route;

import io.trellis.netlink.AttrType;

/** Neighbour attributes NDA_* and the NUD_* / NTF_* values (linux/neighbour.h). */
public final class Nda {
    private Nda() {
    }

    public static final AttrType DST = new AttrType(1, "NDA_DST");
    public static final AttrType LLADDR = new AttrType(2, "NDA_LLADDR");
    public static final AttrType VLAN = new AttrType(5, "NDA_VLAN");
    public static final AttrType PORT = new AttrType(6, "NDA_PORT");
    public static final AttrType VNI = new AttrType(7, "NDA_VNI");
    public static final AttrType IFINDEX = new AttrType(8, "NDA_IFINDEX");
    public static final AttrType MASTER = new AttrType(9, "NDA_MASTER");

    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;

    /** The entry belongs to the device itself (e.g. a VXLAN device's FDB). */
    public static final int NTF_SELF = 0x02;
    /** The entry belongs to the bridge the device is a port of. */
    public static final int NTF_MASTER = 0x04;
    public static final int NTF_EXT_LEARNED = 0x10;
}
