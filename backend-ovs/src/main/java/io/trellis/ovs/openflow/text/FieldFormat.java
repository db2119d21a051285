package io.trellis.ovs.openflow.text;

import io.trellis.ovs.openflow.match.OxmField;
import java.math.BigInteger;
import java.util.Map;

/**
 * How OVS writes the value of a field in {@code set_field:} and learn immediates (the
 * "Formatting:" line of each field in OVS {@code meta-flow.h}), and the value helpers shared
 * by the match and action renderers.
 */
final class FieldFormat {

    enum Kind { HEX, DECIMAL, ETHERNET, IPV4, IPV6, PORT }

    private static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("in_port", Kind.PORT), Map.entry("in_port_oxm", Kind.PORT), Map.entry("actset_output", Kind.PORT),
            Map.entry("eth_src", Kind.ETHERNET), Map.entry("eth_dst", Kind.ETHERNET),
            Map.entry("arp_sha", Kind.ETHERNET), Map.entry("arp_tha", Kind.ETHERNET),
            Map.entry("nd_sll", Kind.ETHERNET), Map.entry("nd_tll", Kind.ETHERNET),
            Map.entry("ip_src", Kind.IPV4), Map.entry("ip_dst", Kind.IPV4), Map.entry("arp_spa", Kind.IPV4),
            Map.entry("arp_tpa", Kind.IPV4), Map.entry("tun_src", Kind.IPV4), Map.entry("tun_dst", Kind.IPV4),
            Map.entry("ct_nw_src", Kind.IPV4), Map.entry("ct_nw_dst", Kind.IPV4),
            Map.entry("ipv6_src", Kind.IPV6), Map.entry("ipv6_dst", Kind.IPV6), Map.entry("nd_target", Kind.IPV6),
            Map.entry("tun_ipv6_src", Kind.IPV6), Map.entry("tun_ipv6_dst", Kind.IPV6),
            Map.entry("ct_ipv6_src", Kind.IPV6), Map.entry("ct_ipv6_dst", Kind.IPV6),
            Map.entry("nw_proto", Kind.DECIMAL), Map.entry("nw_tos", Kind.DECIMAL), Map.entry("ip_dscp", Kind.DECIMAL),
            Map.entry("nw_ecn", Kind.DECIMAL), Map.entry("nw_ttl", Kind.DECIMAL), Map.entry("arp_op", Kind.DECIMAL),
            Map.entry("tcp_src", Kind.DECIMAL), Map.entry("tcp_dst", Kind.DECIMAL), Map.entry("udp_src", Kind.DECIMAL),
            Map.entry("udp_dst", Kind.DECIMAL), Map.entry("sctp_src", Kind.DECIMAL), Map.entry("sctp_dst", Kind.DECIMAL),
            Map.entry("icmp_type", Kind.DECIMAL), Map.entry("icmp_code", Kind.DECIMAL),
            Map.entry("icmpv6_type", Kind.DECIMAL), Map.entry("icmpv6_code", Kind.DECIMAL),
            Map.entry("vlan_vid", Kind.DECIMAL), Map.entry("vlan_pcp", Kind.DECIMAL),
            Map.entry("mpls_label", Kind.DECIMAL), Map.entry("mpls_tc", Kind.DECIMAL), Map.entry("mpls_bos", Kind.DECIMAL),
            Map.entry("conj_id", Kind.DECIMAL), Map.entry("recirc_id", Kind.DECIMAL),
            Map.entry("ct_nw_proto", Kind.DECIMAL), Map.entry("ct_tp_src", Kind.DECIMAL), Map.entry("ct_tp_dst", Kind.DECIMAL));

    private FieldFormat() {
    }

    static Kind kind(OxmField f) {
        return KINDS.getOrDefault(f.name(), Kind.HEX);
    }

    /**
     * {@code value[/mask]} the way OVS's {@code mf_format} writes it; {@code mask} null or all ones
     * means exact.
     */
    static String value(OxmField f, byte[] value, byte[] mask) {
        if (mask != null && allOnes(mask)) {
            mask = null;
        }
        return switch (kind(f)) {
            case ETHERNET -> eth(value) + (mask == null ? "" : "/" + eth(mask));
            case IPV4 -> ipv4Masked(value, mask);
            case IPV6 -> ipv6Masked(value, mask);
            case PORT -> port(f.length() == 2 ? portFrom16(toLong(value)) : toLong(value))
                    + (mask == null ? "" : "/" + hex(mask));
            case DECIMAL -> new BigInteger(1, value).toString() + (mask == null ? "" : "/" + hex(mask));
            case HEX -> hex(value) + (mask == null ? "" : "/" + hex(mask));
        };
    }

    /** OVS's {@code ds_put_hex}: {@code 0x} and the hex digits without leading zeros, or {@code 0}. */
    static String hex(byte[] bytes) {
        BigInteger v = new BigInteger(1, bytes);
        return v.signum() == 0 ? "0" : "0x" + v.toString(16);
    }

    /** C's {@code %#x}: {@code 0x1f}, but {@code 0} for zero. */
    static String hashX(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    static long toLong(byte[] bytes) {
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xff);
        }
        return v;
    }

    static boolean allOnes(byte[] bytes) {
        for (byte b : bytes) {
            if (b != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }

    static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    static String eth(byte[] b) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < b.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }

    static String ipv4(byte[] b) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }

    /** Prefix length if the mask is a CIDR mask (leading ones, then zeros), else -1. */
    static int cidrBits(byte[] mask) {
        BigInteger m = new BigInteger(1, mask);
        int total = mask.length * 8;
        int ones = m.bitCount();
        BigInteger expected = BigInteger.ONE.shiftLeft(ones).subtract(BigInteger.ONE).shiftLeft(total - ones);
        return m.equals(expected) ? ones : -1;
    }

    /** OVS {@code ip_format_masked}: {@code 10.0.0.0/24}, or {@code 10.0.0.0/255.0.255.0} for non-CIDR masks. */
    static String ipv4Masked(byte[] value, byte[] mask) {
        if (mask == null || allOnes(mask)) {
            return ipv4(value);
        }
        int bits = cidrBits(mask);
        return ipv4(value) + "/" + (bits >= 0 ? Integer.toString(bits) : ipv4(mask));
    }

    static String ipv6Masked(byte[] value, byte[] mask) {
        if (mask == null || allOnes(mask)) {
            return ipv6(value);
        }
        int bits = cidrBits(mask);
        return ipv6(value) + "/" + (bits >= 0 ? Integer.toString(bits) : ipv6(mask));
    }

    /** RFC 5952 text, as glibc's {@code inet_ntop} writes it (longest zero run as {@code ::}). */
    static String ipv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        boolean mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xffff;
        if (mapped) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] == 0) {
                int j = i;
                while (j < 8 && groups[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** A 16-bit (NXM / OpenFlow 1.0) port number in the 32-bit OpenFlow 1.1+ numbering. */
    static long portFrom16(long port) {
        return port >= 0xff00 ? port + 0xffff0000L : port;
    }

    /** OVS {@code ofputil_format_port} for a 32-bit port: reserved names or the number. */
    static String port(long port) {
        if (port == 0xfffffff8L) {
            return "IN_PORT";
        } else if (port == 0xfffffff9L) {
            return "TABLE";
        } else if (port == 0xfffffffaL) {
            return "NORMAL";
        } else if (port == 0xfffffffbL) {
            return "FLOOD";
        } else if (port == 0xfffffffcL) {
            return "ALL";
        } else if (port == 0xfffffffdL) {
            return "CONTROLLER";
        } else if (port == 0xfffffffeL) {
            return "LOCAL";
        } else if (port == 0xffffffffL) {
            return "ANY";
        } else if (port == 0xfffffff7L) {
            return "UNSET";
        }
        return Long.toString(port);
    }
}
