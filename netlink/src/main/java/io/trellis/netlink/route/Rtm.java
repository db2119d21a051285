package io.trellis.netlink.route;

import java.util.Map;

/** rtnetlink message types (linux/rtnetlink.h) and family/scope/table constants used with them. */
public final class Rtm {
    private Rtm() {
    }

    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(RTM_NEWLINK, "RTM_NEWLINK"), Map.entry(RTM_DELLINK, "RTM_DELLINK"),
            Map.entry(RTM_GETLINK, "RTM_GETLINK"), Map.entry(RTM_SETLINK, "RTM_SETLINK"),
            Map.entry(RTM_NEWADDR, "RTM_NEWADDR"), Map.entry(RTM_DELADDR, "RTM_DELADDR"),
            Map.entry(RTM_GETADDR, "RTM_GETADDR"), Map.entry(RTM_NEWROUTE, "RTM_NEWROUTE"),
            Map.entry(RTM_DELROUTE, "RTM_DELROUTE"), Map.entry(RTM_GETROUTE, "RTM_GETROUTE"),
            Map.entry(RTM_NEWNEIGH, "RTM_NEWNEIGH"), Map.entry(RTM_DELNEIGH, "RTM_DELNEIGH"),
            Map.entry(RTM_GETNEIGH, "RTM_GETNEIGH"));

    public static String name(int type) {
        return NAMES.getOrDefault(type, "RTM type " + type);
    }

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_BRIDGE = 7;

    /** net_device flags (linux/if.h). */
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    /** enum rt_scope_t. */
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_SITE = 200;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RT_SCOPE_NOWHERE = 255;

    /** enum rt_class_t. */
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;

    /** rtm_protocol values. */
    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    /** rtm_type values. */
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_MULTICAST = 5;
    public static final int RTN_BLACKHOLE = 6;
    public static final int RTN_UNREACHABLE = 7;

    /** rtm_flags: the gateway is on the link even if no prefix covers it. */
    public static final int RTNH_F_ONLINK = 4;

    /** ifa_flags. */
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;
}
