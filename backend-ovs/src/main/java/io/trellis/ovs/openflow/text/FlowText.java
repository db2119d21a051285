package io.trellis.ovs.openflow.text;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.action.LearnSpec;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Text form of matches, actions and instructions, reading like {@code ovs-ofctl -O OpenFlow15
 * --no-names dump-flows} of OVS 3.1 ({@code match_format} in OVS {@code lib/match.c}, the
 * {@code format_*} functions of {@code lib/ofp-actions.c}): same field names, order,
 * shorthands ({@code tcp}, {@code ip}, {@code arp}) and number formats, so strings compare
 * equal with OVS's output for the fields and actions this library models.
 *
 * <p>Deliberate differences: fields outside OVS's common set (VLAN, MPLS, tunnel metadata, tcp
 * flags, uncatalogued fields) are appended at the end as {@code name=value[/mask]} in hex;
 * unmodelled actions print as {@code unknown(type=0x...,body=...)}; ports print as numbers
 * (OVS prints port names unless {@code --no-names}); priority, cookie and the other flow-mod
 * fields are not part of this text.
 */
public final class FlowText {

    private static final String[] CT_STATE_NAMES = {"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"};
    private static final int ETH_TYPE_IP = 0x0800;
    private static final int ETH_TYPE_IPV6 = 0x86dd;
    private static final int ETH_TYPE_ARP = 0x0806;
    private static final int ETH_TYPE_RARP = 0x8035;

    private FlowText() {
    }

    // ------------------------------------------------------------------ match

    /** A value with its mask, both as unsigned numbers of {@code bits} bits; mask all ones = exact. */
    private record Val(BigInteger value, BigInteger mask, int bits, byte[] rawValue, byte[] rawMask) {
        static Val of(MatchField f) {
            byte[] v = f.value();
            byte[] m = f.mask();
            if (m == null) {
                m = new byte[v.length];
                java.util.Arrays.fill(m, (byte) 0xff);
            }
            return new Val(new BigInteger(1, v), new BigInteger(1, m), v.length * 8, v, m);
        }

        static Val ofNumbers(BigInteger value, BigInteger mask, int bits) {
            return new Val(value, mask, bits, bytes(value, bits / 8), bytes(mask, bits / 8));
        }

        boolean exact() {
            return mask.equals(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        }

        long v() {
            return value.longValue();
        }

        long m() {
            return mask.longValue();
        }
    }

    private static byte[] bytes(BigInteger v, int len) {
        byte[] raw = v.toByteArray();
        byte[] b = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, b, len - copy, copy);
        return b;
    }

    /**
     * The match as OVS prints it, without priority: {@code ip,in_port=3,nw_dst=10.10.2.0/24}. An
     * empty match is the empty string (OVS omits it, dump-flows then shows just the priority).
     */
    // Compiled once: String.matches compiles its regex per call, and the policy enforcer prints ~10,000
    // flows per change on a node with a large address group (policy-label-latency bench).
    private static final Pattern REG = Pattern.compile("reg\\d+");
    private static final Pattern XREG = Pattern.compile("xreg\\d");
    private static final Pattern XXREG = Pattern.compile("xxreg\\d");

    public static String match(Match m) {
        Map<String, Val> f = new LinkedHashMap<>();
        long[] regValue = new long[16];
        long[] regMask = new long[16];
        List<MatchField> rest = new ArrayList<>();
        for (MatchField mf : m.fields()) {
            OxmField field = mf.field();
            String name = field.name();
            Val val = Val.of(mf);
            if (REG.matcher(name).matches()) {
                int i = Integer.parseInt(name.substring(3));
                regValue[i] = val.v();
                regMask[i] = val.m();
            } else if (XREG.matcher(name).matches()) {
                int i = Integer.parseInt(name.substring(4));
                regValue[2 * i] = val.value.shiftRight(32).longValue() & 0xffffffffL;
                regMask[2 * i] = val.mask.shiftRight(32).longValue() & 0xffffffffL;
                regValue[2 * i + 1] = val.v() & 0xffffffffL;
                regMask[2 * i + 1] = val.m() & 0xffffffffL;
            } else if (XXREG.matcher(name).matches()) {
                int i = Integer.parseInt(name.substring(5));
                for (int k = 0; k < 4; k++) {
                    regValue[4 * i + k] = val.value.shiftRight(32 * (3 - k)).longValue() & 0xffffffffL;
                    regMask[4 * i + k] = val.mask.shiftRight(32 * (3 - k)).longValue() & 0xffffffffL;
                }
            } else if (isCommon(field)) {
                f.put(logicalName(field), val);
            } else {
                rest.add(mf);
            }
        }

        StringJoiner s = new StringJoiner(",");
        uint32(s, "pkt_mark", f.get("pkt_mark"));
        uint32(s, "recirc_id", f.get("recirc_id"));
        uint32(s, "dp_hash", f.get("dp_hash"));
        Val conj = f.get("conj_id");
        if (conj != null) {
            s.add("conj_id=" + conj.v());
        }
        Val actset = f.get("actset_output");
        if (actset != null) {
            s.add("actset_output=" + FieldFormat.port(actset.v()));
        }
        Val ctState = f.get("ct_state");
        if (ctState != null) {
            s.add("ct_state=" + ctState(ctState.v(), ctState.m()));
        }
        Val ctZone = f.get("ct_zone");
        if (ctZone != null) {
            s.add("ct_zone=" + (ctZone.exact() ? Long.toString(ctZone.v())
                    : "0x" + Long.toHexString(ctZone.v()) + "/0x" + Long.toHexString(ctZone.m())));
        }
        uint32(s, "ct_mark", f.get("ct_mark"));
        Val ctLabel = f.get("ct_label");
        if (ctLabel != null) {
            s.add("ct_label=" + FieldFormat.hex(ctLabel.rawValue())
                    + (ctLabel.exact() ? "" : "/" + FieldFormat.hex(ctLabel.rawMask())));
        }
        ipv4(s, "ct_nw_src", f.get("ct_nw_src"));
        ipv4(s, "ct_nw_dst", f.get("ct_nw_dst"));
        ipv6(s, "ct_ipv6_src", f.get("ct_ipv6_src"));
        ipv6(s, "ct_ipv6_dst", f.get("ct_ipv6_dst"));
        Val ctProto = f.get("ct_nw_proto");
        if (ctProto != null) {
            s.add("ct_nw_proto=" + ctProto.v());
        }
        be16(s, "ct_tp_src", f.get("ct_tp_src"));
        be16(s, "ct_tp_dst", f.get("ct_tp_dst"));

        Val dlType = f.get("eth_type");
        Val proto = f.get("nw_proto");
        int type = dlType == null ? -1 : (int) dlType.v();
        boolean skipType = false;
        boolean skipProto = false;
        if (dlType != null) {
            skipType = true;
            if (type == ETH_TYPE_IP || type == ETH_TYPE_IPV6) {
                boolean v6 = type == ETH_TYPE_IPV6;
                String shorthand = v6 ? "ipv6" : "ip";
                if (proto != null) {
                    skipProto = true;
                    int p = (int) proto.v();
                    if (p == 1 && !v6) {
                        shorthand = "icmp";
                    } else if (p == 2 && !v6) {
                        shorthand = "igmp";
                    } else if (p == 58 && v6) {
                        shorthand = "icmp6";
                    } else if (p == 6) {
                        shorthand = v6 ? "tcp6" : "tcp";
                    } else if (p == 17) {
                        shorthand = v6 ? "udp6" : "udp";
                    } else if (p == 132) {
                        shorthand = v6 ? "sctp6" : "sctp";
                    } else {
                        skipProto = false;
                    }
                }
                s.add(shorthand);
            } else if (type == ETH_TYPE_ARP) {
                s.add("arp");
            } else if (type == ETH_TYPE_RARP) {
                s.add("rarp");
            } else if (type == 0x8847) {
                s.add("mpls");
            } else if (type == 0x8848) {
                s.add("mplsm");
            } else {
                skipType = false;
            }
        }
        for (int i = 0; i < 16; i++) {
            if (regMask[i] != 0) {
                s.add("reg" + i + "=" + FieldFormat.hashX(regValue[i])
                        + (regMask[i] == 0xffffffffL ? "" : "/" + FieldFormat.hashX(regMask[i])));
            }
        }
        be64(s, "tun_id", f.get("tun_id"));
        ipv4(s, "tun_src", f.get("tun_src"));
        ipv4(s, "tun_dst", f.get("tun_dst"));
        ipv6(s, "tun_ipv6_src", f.get("tun_ipv6_src"));
        ipv6(s, "tun_ipv6_dst", f.get("tun_ipv6_dst"));
        be64(s, "metadata", f.get("metadata"));
        Val inPort = f.get("in_port");
        if (inPort != null) {
            s.add("in_port=" + FieldFormat.port(inPort.bits() == 16 ? FieldFormat.portFrom16(inPort.v()) : inPort.v()));
        }
        eth(s, "dl_src", f.get("eth_src"));
        eth(s, "dl_dst", f.get("eth_dst"));
        if (!skipType && dlType != null) {
            s.add(String.format("dl_type=0x%04x", type));
        }
        boolean arp = type == ETH_TYPE_ARP || type == ETH_TYPE_RARP;
        if (type == ETH_TYPE_IPV6) {
            ipv6(s, "ipv6_src", f.get("ipv6_src"));
            ipv6(s, "ipv6_dst", f.get("ipv6_dst"));
            Val label = f.get("ipv6_label");
            if (label != null) {
                s.add(String.format("ipv6_label=0x%05x", label.v())
                        + (label.m() == 0xfffffL || label.exact() ? "" : String.format("/0x%05x", label.m())));
            }
        } else if (arp) {
            ipv4(s, "arp_spa", f.get("arp_spa"));
            ipv4(s, "arp_tpa", f.get("arp_tpa"));
        } else {
            ipv4(s, "nw_src", f.get("ip_src"));
            ipv4(s, "nw_dst", f.get("ip_dst"));
        }
        if (!skipProto) {
            Val arpOp = f.get("arp_op");
            if (arp && arpOp != null) {
                s.add("arp_op=" + arpOp.v());
            } else if (proto != null) {
                s.add("nw_proto=" + proto.v());
            }
        }
        if (arp) {
            eth(s, "arp_sha", f.get("arp_sha"));
            eth(s, "arp_tha", f.get("arp_tha"));
        }
        Val tos = f.get("nw_tos");
        Val dscp = f.get("ip_dscp");
        if (dscp != null) {
            s.add("nw_tos=" + ((dscp.v() & 0x3f) << 2));
        } else if (tos != null) {
            s.add("nw_tos=" + (tos.v() & 0xfc));
        }
        Val ecn = f.get("nw_ecn");
        if (ecn != null) {
            s.add("nw_ecn=" + (ecn.v() & 3));
        }
        Val ttl = f.get("nw_ttl");
        if (ttl != null) {
            s.add("nw_ttl=" + ttl.v());
        }
        Val frag = f.get("ip_frag");
        if (frag != null) {
            s.add("nw_frag=" + frag(frag.v(), frag.m()));
        }
        int p = proto == null ? -1 : (int) proto.v();
        if (type == ETH_TYPE_IP && p == 1) {
            be16(s, "icmp_type", f.get("icmp_type"));
            be16(s, "icmp_code", f.get("icmp_code"));
        } else if (type == ETH_TYPE_IP && p == 2) {
            be16(s, "igmp_type", f.get("icmp_type"));
            be16(s, "igmp_code", f.get("icmp_code"));
        } else if (type == ETH_TYPE_IPV6 && p == 58) {
            be16(s, "icmp_type", f.get("icmpv6_type"));
            be16(s, "icmp_code", f.get("icmpv6_code"));
            ipv6(s, "nd_target", f.get("nd_target"));
            eth(s, "nd_sll", f.get("nd_sll"));
            eth(s, "nd_tll", f.get("nd_tll"));
        } else {
            be16(s, "tp_src", first(f, "tcp_src", "udp_src", "sctp_src"));
            be16(s, "tp_dst", first(f, "tcp_dst", "udp_dst", "sctp_dst"));
        }
        for (MatchField mf : rest) {
            if (mf.field().name().equals("tcp_flags")) {
                Val v = Val.of(mf);
                s.add("tcp_flags=" + tcpFlags(v.v(), v.exact() ? TCP_FLAGS_ALL : v.m()));
            } else {
                s.add(mf.field().name() + "=" + FieldFormat.value(mf.field(), mf.value(), mf.mask()));
            }
        }
        return s.toString();
    }

    private static final int TCP_FLAGS_ALL = 0x0fff;
    private static final String[] TCP_FLAG_NAMES = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"};

    /**
     * As OVS's format_flags_masked prints tcp_flags (lib/flow.c): an exact match as the set flags joined by
     * {@code |} ({@code 0} for none), a masked one as {@code +name}/{@code -name} per masked bit, lowest first.
     */
    static String tcpFlags(long value, long mask) {
        StringBuilder out = new StringBuilder();
        if ((mask & TCP_FLAGS_ALL) == TCP_FLAGS_ALL) {
            for (int bit = 0; bit < 12; bit++) {
                if ((value & (1L << bit)) != 0) {
                    out.append(out.length() == 0 ? "" : "|").append(tcpFlagName(bit));
                }
            }
            return out.length() == 0 ? "0" : out.toString();
        }
        if (mask == 0) {
            return "0/0";
        }
        for (int bit = 0; bit < 12; bit++) {
            if ((mask & (1L << bit)) != 0) {
                out.append((value & (1L << bit)) != 0 ? '+' : '-').append(tcpFlagName(bit));
            }
        }
        return out.toString();
    }

    private static String tcpFlagName(int bit) {
        return bit < TCP_FLAG_NAMES.length ? TCP_FLAG_NAMES[bit] : "[Unknown]";
    }

    private static Val first(Map<String, Val> f, String... names) {
        for (String n : names) {
            if (f.containsKey(n)) {
                return f.get(n);
            }
        }
        return null;
    }

    private static final java.util.Set<String> COMMON = java.util.Set.of(
            "pkt_mark", "recirc_id", "dp_hash", "conj_id", "actset_output", "ct_state", "ct_zone", "ct_mark",
            "ct_label", "ct_nw_src", "ct_nw_dst", "ct_ipv6_src", "ct_ipv6_dst", "ct_nw_proto", "ct_tp_src",
            "ct_tp_dst", "eth_type", "nw_proto", "tun_id", "tun_src", "tun_dst", "tun_ipv6_src", "tun_ipv6_dst",
            "metadata", "in_port", "in_port_oxm", "eth_src", "eth_dst", "ipv6_src", "ipv6_dst", "ipv6_label",
            "arp_spa", "arp_tpa", "ip_src", "ip_dst", "arp_op", "arp_sha", "arp_tha", "nw_tos", "ip_dscp",
            "nw_ecn", "nw_ttl", "ip_frag", "icmp_type", "icmp_code", "icmpv6_type", "icmpv6_code", "nd_target",
            "nd_sll", "nd_tll", "tcp_src", "tcp_dst", "udp_src", "udp_dst", "sctp_src", "sctp_dst");

    private static boolean isCommon(OxmField f) {
        return OxmFields.isKnown(f) && COMMON.contains(f.name());
    }

    private static String logicalName(OxmField f) {
        return f.name().equals("in_port_oxm") ? "in_port" : f.name();
    }

    private static String ctState(long flags, long mask) {
        if ((mask & 0xff) == 0xff) {
            StringJoiner j = new StringJoiner("|");
            for (int i = 0; i < CT_STATE_NAMES.length; i++) {
                if ((flags & (1L << i)) != 0) {
                    j.add(CT_STATE_NAMES[i]);
                }
            }
            return flags == 0 ? "0" : j.toString();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            long bit = 1L << i;
            if ((mask & bit) != 0) {
                sb.append((flags & bit) != 0 ? '+' : '-').append(i < 8 ? CT_STATE_NAMES[i] : "[Unknown]");
            }
        }
        return sb.length() == 0 ? "0/0" : sb.toString();
    }

    private static String frag(long v, long m) {
        if ((m & 3) == 3) {
            return (v & 1) != 0 ? ((v & 2) != 0 ? "later" : "first") : ((v & 2) != 0 ? "<error>" : "no");
        } else if ((m & 3) == 1) {
            return (v & 1) != 0 ? "yes" : "no";
        }
        return (v & 2) != 0 ? "later" : "not_later";
    }

    /** OVS format_uint32_masked: {@code name=0x1f} or {@code name=0x1/0xf}. */
    private static void uint32(StringJoiner s, String name, Val v) {
        if (v != null && v.m() != 0) {
            s.add(name + "=" + FieldFormat.hashX(v.v()) + (v.exact() ? "" : "/" + FieldFormat.hashX(v.m())));
        }
    }

    private static void be64(StringJoiner s, String name, Val v) {
        if (v != null && v.m() != 0) {
            s.add(name + "=" + FieldFormat.hashX(v.v()) + (v.exact() ? "" : "/" + FieldFormat.hashX(v.m())));
        }
    }

    /** OVS format_be16_masked: decimal when exact, else {@code 0x50/0xfff0}. */
    private static void be16(StringJoiner s, String name, Val v) {
        if (v != null && v.m() != 0) {
            s.add(name + "=" + (v.exact() ? Long.toString(v.v())
                    : "0x" + Long.toHexString(v.v()) + "/0x" + Long.toHexString(v.m())));
        }
    }

    private static void ipv4(StringJoiner s, String name, Val v) {
        if (v != null && v.m() != 0) {
            s.add(name + "=" + FieldFormat.ipv4Masked(v.rawValue(), v.rawMask()));
        }
    }

    private static void ipv6(StringJoiner s, String name, Val v) {
        if (v != null && v.mask.signum() != 0) {
            s.add(name + "=" + FieldFormat.ipv6Masked(v.rawValue(), v.rawMask()));
        }
    }

    private static void eth(StringJoiner s, String name, Val v) {
        if (v != null && v.mask.signum() != 0) {
            s.add(name + "=" + FieldFormat.eth(v.rawValue())
                    + (v.exact() ? "" : "/" + FieldFormat.eth(v.rawMask())));
        }
    }

    // ------------------------------------------------------------------ actions

    /** The actions as OVS prints them after {@code actions=}; an empty list is {@code drop}. */
    public static String actions(List<Action> actions) {
        if (actions.isEmpty()) {
            return "drop";
        }
        StringJoiner j = new StringJoiner(",");
        for (Action a : actions) {
            j.add(action(a));
        }
        return j.toString();
    }

    /**
     * The instructions as OVS prints them after {@code actions=}: apply-actions inline, then
     * {@code clear_actions}, {@code write_actions(...)}, {@code write_metadata:V/M},
     * {@code goto_table:N}, in the order given; nothing to do is {@code drop}.
     */
    public static String instructions(List<Instruction> instructions) {
        StringJoiner j = new StringJoiner(",");
        for (Instruction i : instructions) {
            if (i instanceof Instruction.ApplyActions a) {
                for (Action act : a.actions()) {
                    j.add(action(act));
                }
            } else if (i instanceof Instruction.WriteActions w) {
                j.add("write_actions(" + (w.actions().isEmpty() ? "" : actions(w.actions())) + ")");
            } else if (i instanceof Instruction.ClearActions) {
                j.add("clear_actions");
            } else if (i instanceof Instruction.WriteMetadata w) {
                j.add("write_metadata:" + FieldFormat.hashX(w.value())
                        + (w.mask() == -1L ? "" : "/" + FieldFormat.hashX(w.mask())));
            } else if (i instanceof Instruction.GotoTable g) {
                j.add("goto_table:" + g.table());
            } else if (i instanceof Instruction.Meter m) {
                j.add("meter:" + m.meterId());
            } else if (i instanceof Instruction.Unknown u) {
                j.add("unknown_instruction(type=" + u.type() + ",body=" + HexFormat.of().formatHex(u.body()) + ")");
            }
        }
        String s = j.toString();
        return s.isEmpty() ? "drop" : s;
    }

    /** One action as OVS prints it. */
    public static String action(Action a) {
        if (a instanceof Action.Output o) {
            if (o.port() < Action.Output.MAX) {
                return "output:" + o.port();
            }
            String name = FieldFormat.port(o.port());
            return o.port() == Action.Output.CONTROLLER ? name + ":" + o.maxLen() : name;
        } else if (a instanceof Action.Group g) {
            return "group:" + g.groupId();
        } else if (a instanceof Action.SetField sf) {
            MatchField f = sf.field();
            byte[] value = f.value();
            return "set_field:" + FieldFormat.value(f.field(), value, f.mask()) + "->" + f.field().name();
        } else if (a instanceof Action.Move m) {
            return "move:" + subfield(m.src()) + "->" + subfield(m.dst());
        } else if (a instanceof Action.Resubmit r) {
            if (r.inPort() != null && r.table() == null) {
                return "resubmit:" + r.inPort();
            }
            return "resubmit(" + (r.inPort() == null ? "" : r.inPort()) + "," + (r.table() == null ? "" : r.table()) + ")";
        } else if (a instanceof Action.DecTtl) {
            return "dec_ttl";
        } else if (a instanceof Action.Ct ct) {
            return ct(ct);
        } else if (a instanceof Action.Nat n) {
            return nat(n);
        } else if (a instanceof Action.CtClear) {
            return "ct_clear";
        } else if (a instanceof Action.Conjunction c) {
            return "conjunction(" + c.id() + "," + c.clause() + "/" + c.nClauses() + ")";
        } else if (a instanceof Action.Learn l) {
            return learn(l);
        } else if (a instanceof Action.Controller c) {
            return controller(c);
        } else if (a instanceof Action.Note n) {
            // OVS prints the note with the zero padding the wire adds (to 6 + 8k bytes)
            byte[] note = n.note();
            byte[] padded = java.util.Arrays.copyOf(note, note.length + Math.floorMod(6 - note.length, 8));
            return "note:" + dotted(padded);
        } else if (a instanceof Action.Unknown u) {
            return "unknown(type=0x" + Integer.toHexString(u.type()) + ",body=" + HexFormat.of().formatHex(u.body()) + ")";
        }
        throw new IllegalArgumentException("no text form for " + a);
    }

    /** {@code NXM_NX_REG0[]}, {@code NXM_NX_REG0[19]}, {@code NXM_NX_REG0[0..15]}. */
    public static String subfield(Subfield s) {
        String name = OxmFields.subfieldName(s.field());
        if (s.isWhole()) {
            return name + "[]";
        } else if (s.nBits() == 1) {
            return name + "[" + s.ofs() + "]";
        }
        return name + "[" + s.ofs() + ".." + (s.ofs() + s.nBits() - 1) + "]";
    }

    private static String ct(Action.Ct ct) {
        StringJoiner j = new StringJoiner(",", "ct(", ")");
        if (ct.commit()) {
            j.add("commit");
        }
        if (ct.force()) {
            j.add("force");
        }
        if (ct.recircTable() != Action.Ct.NO_RECIRC) {
            j.add("table=" + ct.recircTable());
        }
        if (ct.zoneSrc() != null) {
            j.add("zone=" + subfield(ct.zoneSrc()));
        } else if (ct.zone() != 0) {
            j.add("zone=" + ct.zone());
        }
        if (ct.nat() != null) {
            j.add(nat(ct.nat()));
        }
        if (!ct.exec().isEmpty()) {
            j.add("exec(" + actions(ct.exec()) + ")");
        }
        if (ct.alg() == 21) {
            j.add("alg=ftp");
        } else if (ct.alg() == 69) {
            j.add("alg=tftp");
        } else if (ct.alg() != 0) {
            j.add("alg=" + ct.alg());
        }
        return j.toString();
    }

    private static String nat(Action.Nat n) {
        if (n.type() == Action.Nat.NatType.NONE) {
            return "nat";
        }
        StringBuilder sb = new StringBuilder("nat(").append(n.type() == Action.Nat.NatType.SRC ? "src" : "dst").append('=');
        byte[] min = n.addrMin();
        byte[] max = n.addrMax();
        if (min != null) {
            boolean v6 = min.length == 16;
            boolean bracket = v6 && n.portMin() != 0;
            sb.append(addr(min, bracket));
            if (max != null && !java.util.Arrays.equals(min, max)) {
                sb.append('-').append(addr(max, bracket));
            }
        }
        if (n.portMin() != 0) {
            sb.append(':').append(n.portMin());
            if (n.portMax() != 0 && n.portMax() != n.portMin()) {
                sb.append('-').append(n.portMax());
            }
        }
        if (n.persistent()) {
            sb.append(",persistent");
        }
        if (n.hash()) {
            sb.append(",hash");
        }
        if (n.random()) {
            sb.append(",random");
        }
        return sb.append(')').toString();
    }

    private static String addr(byte[] a, boolean bracket) {
        if (a.length == 4) {
            return FieldFormat.ipv4(a);
        }
        return bracket ? "[" + FieldFormat.ipv6(a) + "]" : FieldFormat.ipv6(a);
    }

    private static String learn(Action.Learn l) {
        StringBuilder sb = new StringBuilder("learn(table=").append(l.table());
        if (l.idleTimeout() != 0) {
            sb.append(",idle_timeout=").append(l.idleTimeout());
        }
        if (l.hardTimeout() != 0) {
            sb.append(",hard_timeout=").append(l.hardTimeout());
        }
        if (l.finIdleTimeout() != 0) {
            sb.append(",fin_idle_timeout=").append(l.finIdleTimeout());
        }
        if (l.finHardTimeout() != 0) {
            sb.append(",fin_hard_timeout=").append(l.finHardTimeout());
        }
        if (l.priority() != Action.Learn.DEFAULT_PRIORITY) {
            sb.append(",priority=").append(l.priority());
        }
        if ((l.flags() & Action.Learn.SEND_FLOW_REM) != 0) {
            sb.append(",send_flow_rem");
        }
        if ((l.flags() & Action.Learn.DELETE_LEARNED) != 0) {
            sb.append(",delete_learned");
        }
        if (l.cookie() != 0) {
            sb.append(",cookie=0x").append(Long.toHexString(l.cookie()));
        }
        for (LearnSpec spec : l.specs()) {
            sb.append(',');
            if (spec instanceof LearnSpec.MatchImmediate mi) {
                Subfield dst = mi.dst();
                byte[] imm = lastBytes(mi.value(), (dst.nBits() + 7) / 8);
                if (dst.ofs() == 0 && dst.isWhole()) {
                    byte[] full = new byte[fieldBytes(dst.field())];
                    System.arraycopy(imm, 0, full, full.length - imm.length, imm.length);
                    sb.append(dst.field().name()).append('=').append(FieldFormat.value(dst.field(), full, null));
                } else {
                    sb.append(subfield(dst)).append('=').append(FieldFormat.hex(imm));
                }
            } else if (spec instanceof LearnSpec.MatchFromField mf) {
                sb.append(subfield(mf.dst()));
                if (!mf.src().field().equals(mf.dst().field()) || mf.src().ofs() != mf.dst().ofs()) {
                    sb.append('=').append(subfield(mf.src()));
                }
            } else if (spec instanceof LearnSpec.LoadImmediate li) {
                sb.append("load:").append(FieldFormat.hex(lastBytes(li.value(), (li.nBits() + 7) / 8)))
                        .append("->").append(subfield(li.dst()));
            } else if (spec instanceof LearnSpec.LoadFromField lf) {
                sb.append("load:").append(subfield(lf.src())).append("->").append(subfield(lf.dst()));
            } else if (spec instanceof LearnSpec.OutputFromField of) {
                sb.append("output:").append(subfield(of.src()));
            }
        }
        return sb.append(')').toString();
    }

    private static int fieldBytes(OxmField f) {
        return OxmFields.isExperimenter(f) ? f.length() - 4 : f.length();
    }

    private static byte[] lastBytes(byte[] b, int n) {
        byte[] r = new byte[Math.min(n, b.length)];
        System.arraycopy(b, b.length - r.length, r, 0, r.length);
        return r;
    }

    private static final String[] PACKET_IN_REASONS = {"no_match", "action", "invalid_ttl", "action_set", "group",
        "packet_out"};

    private static String controller(Action.Controller c) {
        byte[] userdata = c.userdata();
        if (c.reason() == Action.Controller.REASON_ACTION && c.controllerId() == 0 && userdata.length == 0 && !c.pause()) {
            return "CONTROLLER:" + c.maxLen();
        }
        StringJoiner j = new StringJoiner(",", "controller(", ")");
        if (c.reason() != Action.Controller.REASON_ACTION) {
            j.add("reason=" + (c.reason() < PACKET_IN_REASONS.length ? PACKET_IN_REASONS[c.reason()]
                    : Integer.toString(c.reason())));
        }
        if (c.maxLen() != Action.Output.NO_BUFFER) {
            j.add("max_len=" + c.maxLen());
        }
        if (c.controllerId() != 0) {
            j.add("id=" + c.controllerId());
        }
        if (userdata.length > 0) {
            j.add("userdata=" + dotted(userdata));
        }
        if (c.pause()) {
            j.add("pause");
        }
        return j.toString();
    }

    /** {@code 01.02.03}, OVS's format_hex_arg. */
    private static String dotted(byte[] b) {
        StringJoiner j = new StringJoiner(".");
        for (byte x : b) {
            j.add(String.format("%02x", x & 0xff));
        }
        return j.toString();
    }
}
