package io.trellis.ovs.openflow.match;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Catalogue of the match field headers Trellis knows, with the numbers from OVS
 * {@code include/openvswitch/meta-flow.h} and {@code include/openflow/nicira-ext.h}.
 *
 * <p>The unprefixed constants ({@link #IN_PORT}, {@link #ETH_DST}, ...) are the headers OVS itself
 * puts into OpenFlow 1.3/1.5 matches: the OpenFlow basic class {@code 0x8000} where one exists, the
 * Nicira class {@code 0x0001} otherwise (registers, conntrack, tunnel addresses). The
 * {@code NXM_OF_*} / {@code NXM_NX_*} constants are the legacy Nicira headers of the same logical
 * fields; OVS uses them inside Nicira actions (learn, reg_move, reg_load, ct zone source).
 */
public final class OxmFields {

    /** OXM class of the OpenFlow basic fields. */
    public static final int CLASS_OPENFLOW_BASIC = 0x8000;
    /** OXM class OFPXMC_PACKET_REGS (OpenFlow 1.5, OVS xreg). */
    public static final int CLASS_PACKET_REGS = 0x8001;
    /** Nicira NXM_OF class (OpenFlow 1.0 fields). */
    public static final int CLASS_NXM_0 = 0x0000;
    /** Nicira NXM_NX class (Nicira extension fields). */
    public static final int CLASS_NXM_1 = 0x0001;
    /** Experimenter class: the value starts with a 32-bit experimenter id. */
    public static final int CLASS_EXPERIMENTER = 0xffff;

    // Filled only while this class initialises (by def()); frozen into the immutable maps below.
    private static final List<OxmField> DEFINED = new ArrayList<>();
    private static final Map<OxmField, String> DEFINED_NAMES = new HashMap<>();

    private static OxmField def(String headerName, String name, int cls, int field, int length, boolean maskable) {
        OxmField f = new OxmField(name, cls, field, length, maskable);
        DEFINED.add(f);
        DEFINED_NAMES.put(f, headerName);
        return f;
    }

    private static int key(int cls, int field) {
        return (cls << 8) | field;
    }

    // ---- OpenFlow basic (OXM_OF_*), class 0x8000; OpenFlow 1.5.1 section 7.2.3.7 ----
    public static final OxmField IN_PORT = def("OXM_OF_IN_PORT", "in_port_oxm", 0x8000, 0, 4, false);
    public static final OxmField IN_PHY_PORT = def("OXM_OF_IN_PHY_PORT", "in_phy_port", 0x8000, 1, 4, false);
    public static final OxmField METADATA = def("OXM_OF_METADATA", "metadata", 0x8000, 2, 8, true);
    public static final OxmField ETH_DST = def("OXM_OF_ETH_DST", "eth_dst", 0x8000, 3, 6, true);
    public static final OxmField ETH_SRC = def("OXM_OF_ETH_SRC", "eth_src", 0x8000, 4, 6, true);
    public static final OxmField ETH_TYPE = def("OXM_OF_ETH_TYPE", "eth_type", 0x8000, 5, 2, false);
    public static final OxmField VLAN_VID = def("OXM_OF_VLAN_VID", "vlan_vid", 0x8000, 6, 2, true);
    public static final OxmField VLAN_PCP = def("OXM_OF_VLAN_PCP", "vlan_pcp", 0x8000, 7, 1, false);
    public static final OxmField IP_DSCP = def("OXM_OF_IP_DSCP", "ip_dscp", 0x8000, 8, 1, false);
    public static final OxmField IP_ECN = def("OXM_OF_IP_ECN", "nw_ecn", 0x8000, 9, 1, false);
    public static final OxmField IP_PROTO = def("OXM_OF_IP_PROTO", "nw_proto", 0x8000, 10, 1, false);
    public static final OxmField IPV4_SRC = def("OXM_OF_IPV4_SRC", "ip_src", 0x8000, 11, 4, true);
    public static final OxmField IPV4_DST = def("OXM_OF_IPV4_DST", "ip_dst", 0x8000, 12, 4, true);
    public static final OxmField TCP_SRC = def("OXM_OF_TCP_SRC", "tcp_src", 0x8000, 13, 2, true);
    public static final OxmField TCP_DST = def("OXM_OF_TCP_DST", "tcp_dst", 0x8000, 14, 2, true);
    public static final OxmField UDP_SRC = def("OXM_OF_UDP_SRC", "udp_src", 0x8000, 15, 2, true);
    public static final OxmField UDP_DST = def("OXM_OF_UDP_DST", "udp_dst", 0x8000, 16, 2, true);
    public static final OxmField SCTP_SRC = def("OXM_OF_SCTP_SRC", "sctp_src", 0x8000, 17, 2, true);
    public static final OxmField SCTP_DST = def("OXM_OF_SCTP_DST", "sctp_dst", 0x8000, 18, 2, true);
    public static final OxmField ICMPV4_TYPE = def("OXM_OF_ICMPV4_TYPE", "icmp_type", 0x8000, 19, 1, false);
    public static final OxmField ICMPV4_CODE = def("OXM_OF_ICMPV4_CODE", "icmp_code", 0x8000, 20, 1, false);
    public static final OxmField ARP_OP = def("OXM_OF_ARP_OP", "arp_op", 0x8000, 21, 2, false);
    public static final OxmField ARP_SPA = def("OXM_OF_ARP_SPA", "arp_spa", 0x8000, 22, 4, true);
    public static final OxmField ARP_TPA = def("OXM_OF_ARP_TPA", "arp_tpa", 0x8000, 23, 4, true);
    public static final OxmField ARP_SHA = def("OXM_OF_ARP_SHA", "arp_sha", 0x8000, 24, 6, true);
    public static final OxmField ARP_THA = def("OXM_OF_ARP_THA", "arp_tha", 0x8000, 25, 6, true);
    public static final OxmField IPV6_SRC = def("OXM_OF_IPV6_SRC", "ipv6_src", 0x8000, 26, 16, true);
    public static final OxmField IPV6_DST = def("OXM_OF_IPV6_DST", "ipv6_dst", 0x8000, 27, 16, true);
    public static final OxmField IPV6_FLABEL = def("OXM_OF_IPV6_FLABEL", "ipv6_label", 0x8000, 28, 4, true);
    public static final OxmField ICMPV6_TYPE = def("OXM_OF_ICMPV6_TYPE", "icmpv6_type", 0x8000, 29, 1, false);
    public static final OxmField ICMPV6_CODE = def("OXM_OF_ICMPV6_CODE", "icmpv6_code", 0x8000, 30, 1, false);
    public static final OxmField IPV6_ND_TARGET = def("OXM_OF_IPV6_ND_TARGET", "nd_target", 0x8000, 31, 16, true);
    public static final OxmField IPV6_ND_SLL = def("OXM_OF_IPV6_ND_SLL", "nd_sll", 0x8000, 32, 6, true);
    public static final OxmField IPV6_ND_TLL = def("OXM_OF_IPV6_ND_TLL", "nd_tll", 0x8000, 33, 6, true);
    public static final OxmField MPLS_LABEL = def("OXM_OF_MPLS_LABEL", "mpls_label", 0x8000, 34, 4, false);
    public static final OxmField MPLS_TC = def("OXM_OF_MPLS_TC", "mpls_tc", 0x8000, 35, 1, false);
    public static final OxmField MPLS_BOS = def("OXM_OF_MPLS_BOS", "mpls_bos", 0x8000, 36, 1, false);
    public static final OxmField TUNNEL_ID = def("OXM_OF_TUNNEL_ID", "tun_id", 0x8000, 38, 8, true);
    public static final OxmField TCP_FLAGS = def("OXM_OF_TCP_FLAGS", "tcp_flags", 0x8000, 42, 2, true);
    public static final OxmField ACTSET_OUTPUT = def("OXM_OF_ACTSET_OUTPUT", "actset_output", 0x8000, 43, 4, false);
    public static final OxmField PACKET_TYPE = def("OXM_OF_PACKET_TYPE", "packet_type", 0x8000, 44, 4, false);

    // ---- Nicira NXM_OF_*, class 0x0000 ----
    public static final OxmField NXM_OF_IN_PORT = def("NXM_OF_IN_PORT", "in_port", 0, 0, 2, false);
    public static final OxmField NXM_OF_ETH_DST = def("NXM_OF_ETH_DST", "eth_dst", 0, 1, 6, true);
    public static final OxmField NXM_OF_ETH_SRC = def("NXM_OF_ETH_SRC", "eth_src", 0, 2, 6, true);
    public static final OxmField NXM_OF_ETH_TYPE = def("NXM_OF_ETH_TYPE", "eth_type", 0, 3, 2, false);
    public static final OxmField NXM_OF_VLAN_TCI = def("NXM_OF_VLAN_TCI", "vlan_tci", 0, 4, 2, true);
    public static final OxmField NXM_OF_IP_TOS = def("NXM_OF_IP_TOS", "nw_tos", 0, 5, 1, false);
    public static final OxmField NXM_OF_IP_PROTO = def("NXM_OF_IP_PROTO", "nw_proto", 0, 6, 1, false);
    public static final OxmField NXM_OF_IP_SRC = def("NXM_OF_IP_SRC", "ip_src", 0, 7, 4, true);
    public static final OxmField NXM_OF_IP_DST = def("NXM_OF_IP_DST", "ip_dst", 0, 8, 4, true);
    public static final OxmField NXM_OF_TCP_SRC = def("NXM_OF_TCP_SRC", "tcp_src", 0, 9, 2, true);
    public static final OxmField NXM_OF_TCP_DST = def("NXM_OF_TCP_DST", "tcp_dst", 0, 10, 2, true);
    public static final OxmField NXM_OF_UDP_SRC = def("NXM_OF_UDP_SRC", "udp_src", 0, 11, 2, true);
    public static final OxmField NXM_OF_UDP_DST = def("NXM_OF_UDP_DST", "udp_dst", 0, 12, 2, true);
    public static final OxmField NXM_OF_ICMP_TYPE = def("NXM_OF_ICMP_TYPE", "icmp_type", 0, 13, 1, false);
    public static final OxmField NXM_OF_ICMP_CODE = def("NXM_OF_ICMP_CODE", "icmp_code", 0, 14, 1, false);
    public static final OxmField NXM_OF_ARP_OP = def("NXM_OF_ARP_OP", "arp_op", 0, 15, 2, false);
    public static final OxmField NXM_OF_ARP_SPA = def("NXM_OF_ARP_SPA", "arp_spa", 0, 16, 4, true);
    public static final OxmField NXM_OF_ARP_TPA = def("NXM_OF_ARP_TPA", "arp_tpa", 0, 17, 4, true);

    // ---- Nicira NXM_NX_*, class 0x0001 ----
    private static final List<OxmField> REGS = List.copyOf(defRegs());
    public static final OxmField REG0 = REGS.get(0);
    public static final OxmField REG1 = REGS.get(1);
    public static final OxmField REG2 = REGS.get(2);
    public static final OxmField REG3 = REGS.get(3);
    public static final OxmField REG4 = REGS.get(4);
    public static final OxmField REG5 = REGS.get(5);
    public static final OxmField REG6 = REGS.get(6);
    public static final OxmField REG7 = REGS.get(7);
    public static final OxmField REG8 = REGS.get(8);
    public static final OxmField REG9 = REGS.get(9);
    public static final OxmField REG10 = REGS.get(10);
    public static final OxmField REG11 = REGS.get(11);
    public static final OxmField REG12 = REGS.get(12);
    public static final OxmField REG13 = REGS.get(13);
    public static final OxmField REG14 = REGS.get(14);
    public static final OxmField REG15 = REGS.get(15);
    public static final OxmField TUN_ID = def("NXM_NX_TUN_ID", "tun_id", 1, 16, 8, true);
    public static final OxmField NXM_NX_ARP_SHA = def("NXM_NX_ARP_SHA", "arp_sha", 1, 17, 6, true);
    public static final OxmField NXM_NX_ARP_THA = def("NXM_NX_ARP_THA", "arp_tha", 1, 18, 6, true);
    public static final OxmField NXM_NX_IPV6_SRC = def("NXM_NX_IPV6_SRC", "ipv6_src", 1, 19, 16, true);
    public static final OxmField NXM_NX_IPV6_DST = def("NXM_NX_IPV6_DST", "ipv6_dst", 1, 20, 16, true);
    public static final OxmField NXM_NX_ICMPV6_TYPE = def("NXM_NX_ICMPV6_TYPE", "icmpv6_type", 1, 21, 1, false);
    public static final OxmField NXM_NX_ICMPV6_CODE = def("NXM_NX_ICMPV6_CODE", "icmpv6_code", 1, 22, 1, false);
    public static final OxmField NXM_NX_ND_TARGET = def("NXM_NX_ND_TARGET", "nd_target", 1, 23, 16, true);
    public static final OxmField NXM_NX_ND_SLL = def("NXM_NX_ND_SLL", "nd_sll", 1, 24, 6, true);
    public static final OxmField NXM_NX_ND_TLL = def("NXM_NX_ND_TLL", "nd_tll", 1, 25, 6, true);
    public static final OxmField IP_FRAG = def("NXM_NX_IP_FRAG", "ip_frag", 1, 26, 1, true);
    public static final OxmField NXM_NX_IPV6_LABEL = def("NXM_NX_IPV6_LABEL", "ipv6_label", 1, 27, 4, true);
    public static final OxmField NXM_NX_IP_ECN = def("NXM_NX_IP_ECN", "nw_ecn", 1, 28, 1, false);
    public static final OxmField IP_TTL = def("NXM_NX_IP_TTL", "nw_ttl", 1, 29, 1, false);
    public static final OxmField COOKIE = def("NXM_NX_COOKIE", "cookie", 1, 30, 8, true);
    public static final OxmField TUN_IPV4_SRC = def("NXM_NX_TUN_IPV4_SRC", "tun_src", 1, 31, 4, true);
    public static final OxmField TUN_IPV4_DST = def("NXM_NX_TUN_IPV4_DST", "tun_dst", 1, 32, 4, true);
    public static final OxmField PKT_MARK = def("NXM_NX_PKT_MARK", "pkt_mark", 1, 33, 4, true);
    public static final OxmField NXM_NX_TCP_FLAGS = def("NXM_NX_TCP_FLAGS", "tcp_flags", 1, 34, 2, true);
    public static final OxmField DP_HASH = def("NXM_NX_DP_HASH", "dp_hash", 1, 35, 4, true);
    public static final OxmField RECIRC_ID = def("NXM_NX_RECIRC_ID", "recirc_id", 1, 36, 4, false);
    public static final OxmField CONJ_ID = def("NXM_NX_CONJ_ID", "conj_id", 1, 37, 4, false);
    public static final OxmField TUN_FLAGS = def("NXM_NX_TUN_FLAGS", "tun_flags", 1, 104, 2, true);
    public static final OxmField CT_STATE = def("NXM_NX_CT_STATE", "ct_state", 1, 105, 4, true);
    public static final OxmField CT_ZONE = def("NXM_NX_CT_ZONE", "ct_zone", 1, 106, 2, false);
    public static final OxmField CT_MARK = def("NXM_NX_CT_MARK", "ct_mark", 1, 107, 4, true);
    public static final OxmField CT_LABEL = def("NXM_NX_CT_LABEL", "ct_label", 1, 108, 16, true);
    public static final OxmField TUN_IPV6_SRC = def("NXM_NX_TUN_IPV6_SRC", "tun_ipv6_src", 1, 109, 16, true);
    public static final OxmField TUN_IPV6_DST = def("NXM_NX_TUN_IPV6_DST", "tun_ipv6_dst", 1, 110, 16, true);
    private static final List<OxmField> XXREGS = List.copyOf(defXxregs());
    public static final OxmField XXREG0 = XXREGS.get(0);
    public static final OxmField XXREG1 = XXREGS.get(1);
    public static final OxmField XXREG2 = XXREGS.get(2);
    public static final OxmField XXREG3 = XXREGS.get(3);
    public static final OxmField CT_NW_PROTO = def("NXM_NX_CT_NW_PROTO", "ct_nw_proto", 1, 119, 1, false);
    public static final OxmField CT_NW_SRC = def("NXM_NX_CT_NW_SRC", "ct_nw_src", 1, 120, 4, true);
    public static final OxmField CT_NW_DST = def("NXM_NX_CT_NW_DST", "ct_nw_dst", 1, 121, 4, true);
    public static final OxmField CT_IPV6_SRC = def("NXM_NX_CT_IPV6_SRC", "ct_ipv6_src", 1, 122, 16, true);
    public static final OxmField CT_IPV6_DST = def("NXM_NX_CT_IPV6_DST", "ct_ipv6_dst", 1, 123, 16, true);
    public static final OxmField CT_TP_SRC = def("NXM_NX_CT_TP_SRC", "ct_tp_src", 1, 124, 2, true);
    public static final OxmField CT_TP_DST = def("NXM_NX_CT_TP_DST", "ct_tp_dst", 1, 125, 2, true);

    private static final List<OxmField> XREGS = List.copyOf(defXregs());

    private static final List<OxmField> ALL = List.copyOf(DEFINED);
    private static final Map<OxmField, String> HEADER_NAMES = Map.copyOf(DEFINED_NAMES);
    private static final Map<Integer, OxmField> BY_CLASS_FIELD = index(ALL);

    private OxmFields() {
    }

    private static Map<Integer, OxmField> index(List<OxmField> fields) {
        Map<Integer, OxmField> m = new HashMap<>();
        for (OxmField f : fields) {
            m.put(key(f.oxmClass(), f.field()), f);
        }
        return Map.copyOf(m);
    }

    private static List<OxmField> defRegs() {
        List<OxmField> regs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            regs.add(def("NXM_NX_REG" + i, "reg" + i, 1, i, 4, true));
        }
        return regs;
    }

    private static List<OxmField> defXxregs() {
        List<OxmField> regs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            regs.add(def("NXM_NX_XXREG" + i, "xxreg" + i, 1, 111 + i, 16, true));
        }
        return regs;
    }

    private static List<OxmField> defXregs() {
        List<OxmField> regs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            regs.add(def("OXM_OF_PKT_REG" + i, "xreg" + i, CLASS_PACKET_REGS, i, 8, true));
        }
        return regs;
    }

    /**
     * The 64-bit packet register {@code xreg<index>}, index 0..7 ({@code OXM_OF_PKT_REG<i>}, class
     * 0x8001). It overlays reg(2i) (upper half) and reg(2i+1) (lower half); OVS uses these
     * headers for registers in OpenFlow 1.5 matches it sends (flow stats, packet-in).
     */
    public static OxmField xreg(int index) {
        if (index < 0 || index >= XREGS.size()) {
            throw new IllegalArgumentException("xreg index must be 0..7, got " + index);
        }
        return XREGS.get(index);
    }

    /** The 32-bit register {@code reg<index>}, index 0..15. */
    public static OxmField reg(int index) {
        if (index < 0 || index >= REGS.size()) {
            throw new IllegalArgumentException("reg index must be 0..15, got " + index);
        }
        return REGS.get(index);
    }

    /** The 128-bit register {@code xxreg<index>}, index 0..3. */
    public static OxmField xxreg(int index) {
        if (index < 0 || index >= XXREGS.size()) {
            throw new IllegalArgumentException("xxreg index must be 0..3, got " + index);
        }
        return XXREGS.get(index);
    }

    public static List<OxmField> regs() {
        return REGS;
    }

    public static List<OxmField> xregs() {
        return XREGS;
    }

    public static List<OxmField> xxregs() {
        return XXREGS;
    }

    /**
     * Significant bits of the field as OVS counts them for subfield notation ({@code FIELD[]}), where
     * that is less than the value length: e.g. ip_dscp 6, ipv6_label 20, tcp_flags 12.
     */
    public static int nBits(OxmField f) {
        String header = HEADER_NAMES.get(f);
        Integer n = header == null ? null : N_BITS.get(header);
        if (n != null) {
            return n;
        }
        return (isExperimenter(f) ? f.length() - 4 : f.length()) * 8;
    }

    private static final Map<String, Integer> N_BITS = Map.ofEntries(
            Map.entry("OXM_OF_IP_DSCP", 6), Map.entry("OXM_OF_IP_ECN", 2), Map.entry("NXM_NX_IP_ECN", 2),
            Map.entry("OXM_OF_IPV6_FLABEL", 20), Map.entry("NXM_NX_IPV6_LABEL", 20),
            Map.entry("OXM_OF_TCP_FLAGS", 12), Map.entry("NXM_NX_TCP_FLAGS", 12),
            Map.entry("OXM_OF_MPLS_LABEL", 20), Map.entry("OXM_OF_MPLS_TC", 3), Map.entry("OXM_OF_MPLS_BOS", 1),
            Map.entry("OXM_OF_VLAN_VID", 13), Map.entry("OXM_OF_VLAN_PCP", 3), Map.entry("NXM_NX_IP_FRAG", 2),
            Map.entry("NXM_NX_CT_STATE", 32));

    /**
     * The name OVS prints for this header in subfield notation ({@code NXM_OF_ETH_TYPE[]}): the
     * oldest header of the same logical field, so OXM_OF_ETH_TYPE prints as NXM_OF_ETH_TYPE, as
     * OVS's {@code mf_format_subfield} does.
     */
    public static String subfieldName(OxmField f) {
        for (OxmField other : ALL) {
            if (other.name().equals(f.name()) && other.oxmClass() <= CLASS_NXM_1) {
                return HEADER_NAMES.get(other);
            }
        }
        String own = HEADER_NAMES.get(f);
        return own != null ? own : f.name();
    }

    /** Every header in the catalogue. */
    public static List<OxmField> all() {
        return ALL;
    }

    /** The catalogued header with this class and field number, if any. */
    public static Optional<OxmField> lookup(int oxmClass, int field) {
        return Optional.ofNullable(BY_CLASS_FIELD.get(key(oxmClass, field)));
    }

    /**
     * The OVS name of the header ({@code "NXM_NX_REG0"}, {@code "OXM_OF_METADATA"}), as OVS prints
     * subfields in learn / move / load; empty for uncatalogued headers.
     */
    public static Optional<String> headerName(OxmField f) {
        return Optional.ofNullable(HEADER_NAMES.get(f));
    }

    /** The catalogued header with this OVS header name ({@code "NXM_OF_TCP_DST"}). */
    public static Optional<OxmField> byHeaderName(String headerName) {
        for (Map.Entry<OxmField, String> e : HEADER_NAMES.entrySet()) {
            if (e.getValue().equals(headerName)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** Whether the header is in the catalogue (rather than an unknown field kept verbatim). */
    public static boolean isKnown(OxmField f) {
        return HEADER_NAMES.containsKey(f);
    }

    public static boolean isExperimenter(OxmField f) {
        return f.oxmClass() == CLASS_EXPERIMENTER;
    }

    /**
     * A header for a field not in the catalogue, named {@code unknown(class=0x1234,field=5)}.
     * {@code length} is the value length (for experimenter fields including the experimenter id).
     */
    public static OxmField unknown(int oxmClass, int field, int length, boolean maskable) {
        return new OxmField(String.format("unknown(class=0x%04x,field=%d)", oxmClass, field),
                oxmClass, field, length, maskable);
    }
}
