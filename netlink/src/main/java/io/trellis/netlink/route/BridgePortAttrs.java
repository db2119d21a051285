package io.trellis.netlink.route;

import io.trellis.netlink.AttrType;

/**
 * Attributes of a bridge port (linux/if_link.h): where they sit in link messages and the
 * IFLA_BRPORT_* values this library reads and writes.
 *
 * <p>A port's settings travel in two places: RTM_SETLINK with {@code ifi_family = AF_BRIDGE} carries them
 * in IFLA_PROTINFO (which the kernel's br_setlink only parses as port attributes when NLA_F_NESTED is
 * set: without it the attribute is the legacy one-byte STP state), and every RTM_NEWLINK of a port
 * reports them in IFLA_LINKINFO / IFLA_INFO_SLAVE_DATA next to IFLA_INFO_SLAVE_KIND "bridge".
 */
public final class BridgePortAttrs {
    private BridgePortAttrs() {
    }

    /** enum IFLA_* value 12: the protocol-specific (here: bridge port) information of a link. */
    public static final AttrType PROTINFO = new AttrType(12, "IFLA_PROTINFO");
    /** Nested in IFLA_LINKINFO (enum IFLA_INFO_* value 5): the port's settings as seen from its master. */
    public static final AttrType INFO_SLAVE_DATA = new AttrType(5, "IFLA_INFO_SLAVE_DATA");

    /** enum IFLA_BRPORT_* value 4, a u8: hairpin mode (frames may leave through the port they came in on). */
    public static final AttrType MODE = new AttrType(4, "IFLA_BRPORT_MODE");

    /** IFLA_INFO_SLAVE_KIND of a bridge port. */
    public static final String SLAVE_KIND = "bridge";
}
