package io.trellis.netlink.route;

import io.trellis.netlink.AttrType;

/** Link attributes: enum IFLA_* (linux/if_link.h), IFLA_INFO_*, VETH_INFO_* (linux/veth.h), IFLA_VXLAN_*. */
public final class Ifla {
    private Ifla() {
    }

    public static final AttrType ADDRESS = new AttrType(1, "IFLA_ADDRESS");
    public static final AttrType BROADCAST = new AttrType(2, "IFLA_BROADCAST");
    public static final AttrType IFNAME = new AttrType(3, "IFLA_IFNAME");
    public static final AttrType MTU = new AttrType(4, "IFLA_MTU");
    public static final AttrType LINK = new AttrType(5, "IFLA_LINK");
    public static final AttrType MASTER = new AttrType(10, "IFLA_MASTER");
    public static final AttrType TXQLEN = new AttrType(13, "IFLA_TXQLEN");
    public static final AttrType OPERSTATE = new AttrType(16, "IFLA_OPERSTATE");
    public static final AttrType LINKINFO = new AttrType(18, "IFLA_LINKINFO");
    public static final AttrType NET_NS_PID = new AttrType(19, "IFLA_NET_NS_PID");
    public static final AttrType NET_NS_FD = new AttrType(28, "IFLA_NET_NS_FD");
    public static final AttrType LINK_NETNSID = new AttrType(37, "IFLA_LINK_NETNSID");

    /** Nested in IFLA_LINKINFO. */
    public static final AttrType INFO_KIND = new AttrType(1, "IFLA_INFO_KIND");
    public static final AttrType INFO_DATA = new AttrType(2, "IFLA_INFO_DATA");
    public static final AttrType INFO_SLAVE_KIND = new AttrType(4, "IFLA_INFO_SLAVE_KIND");

    /** Nested in IFLA_INFO_DATA of a veth: struct ifinfomsg followed by IFLA_* of the peer. */
    public static final AttrType VETH_INFO_PEER = new AttrType(1, "VETH_INFO_PEER");

    /** Nested in IFLA_INFO_DATA of a vxlan. */
    public static final AttrType VXLAN_ID = new AttrType(1, "IFLA_VXLAN_ID");
    public static final AttrType VXLAN_LINK = new AttrType(3, "IFLA_VXLAN_LINK");
    public static final AttrType VXLAN_LOCAL = new AttrType(4, "IFLA_VXLAN_LOCAL");
    public static final AttrType VXLAN_LEARNING = new AttrType(7, "IFLA_VXLAN_LEARNING");
    /** Network byte order. */
    public static final AttrType VXLAN_PORT = new AttrType(15, "IFLA_VXLAN_PORT");
    public static final AttrType VXLAN_LOCAL6 = new AttrType(17, "IFLA_VXLAN_LOCAL6");

    /** IF_OPER_* (RFC 2863 operational states). */
    public static final int IF_OPER_UNKNOWN = 0;
    public static final int IF_OPER_DOWN = 2;
    public static final int IF_OPER_UP = 6;
}
