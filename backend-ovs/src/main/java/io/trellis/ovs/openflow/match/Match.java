package io.trellis.ovs.openflow.match;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An OpenFlow match: the OXM fields in wire order. Field prerequisites (tcp_dst needs
 * eth_type=0x800 and nw_proto=6) are not checked here, OVS checks them and says so in its error.
 * A field appears at most once.
 */
public record Match(List<MatchField> fields) {

    /** Matches every packet. */
    public static final Match ANY = new Match(List.of());

    public Match {
        fields = List.copyOf(Objects.requireNonNull(fields, "fields"));
        for (int i = 0; i < fields.size(); i++) {
            for (int j = i + 1; j < fields.size(); j++) {
                if (fields.get(i).field().equals(fields.get(j).field())) {
                    throw new IllegalArgumentException("match field " + fields.get(i).field().name()
                            + " given twice");
                }
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this match's fields. */
    public Builder toBuilder() {
        Builder b = new Builder();
        fields.forEach(b::field);
        return b;
    }

    public Optional<MatchField> get(OxmField f) {
        return fields.stream().filter(m -> m.field().equals(f)).findFirst();
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /**
     * Collects fields with typed setters. Values are checked for range (naming the field);
     * masked values are stored as {@code value & mask}, the form OVS keeps and dumps; a mask of
     * all ones becomes an exact match. Setting a field twice replaces the first value.
     */
    public static final class Builder {
        private final List<MatchField> fields = new ArrayList<>();

        private Builder() {
        }

        /** Adds (or replaces) a raw field. */
        public Builder field(MatchField f) {
            Objects.requireNonNull(f, "field");
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).field().equals(f.field())) {
                    fields.set(i, f);
                    return this;
                }
            }
            fields.add(f);
            return this;
        }

        private Builder exact(OxmField f, long value) {
            return field(MatchField.exact(f, Bytes.ofLong(checkRange(f, value, f.length() * 8), f.length())));
        }

        private Builder masked(OxmField f, long value, long mask) {
            int bits = f.length() * 8;
            checkRange(f, value, bits);
            checkMaskRange(f, mask, bits);
            return field(MatchField.masked(f, Bytes.ofLong(value & mask, f.length()), Bytes.ofLong(mask, f.length())));
        }

        private Builder masked(OxmField f, byte[] value, byte[] mask) {
            byte[] v = value.clone();
            for (int i = 0; i < v.length; i++) {
                v[i] &= mask[i];
            }
            return field(MatchField.masked(f, v, mask));
        }

        /** OpenFlow port number, 32 bits ({@code OXM_OF_IN_PORT}); OVS supports 0..0xfeff and the reserved 0xffffff00+. */
        public Builder inPort(long port) {
            if (port < 0 || port > 0xffffffffL || (port > 0xfeff && port < 0xffffff00L)) {
                throw new IllegalArgumentException("in_port: " + port
                        + " out of range (0..65279 or reserved port 0xffffff00..0xffffffff)");
            }
            return exact(OxmFields.IN_PORT, port);
        }

        public Builder ethSrc(MacAddress mac) {
            return field(MatchField.exact(OxmFields.ETH_SRC, mac.bytes()));
        }

        public Builder ethSrc(MacAddress mac, MacAddress mask) {
            return masked(OxmFields.ETH_SRC, mac.bytes(), mask.bytes());
        }

        public Builder ethSrc(String mac) {
            return ethSrc(MacAddress.parse(mac));
        }

        public Builder ethSrc(String mac, String mask) {
            return ethSrc(MacAddress.parse(mac), MacAddress.parse(mask));
        }

        public Builder ethDst(MacAddress mac) {
            return field(MatchField.exact(OxmFields.ETH_DST, mac.bytes()));
        }

        public Builder ethDst(MacAddress mac, MacAddress mask) {
            return masked(OxmFields.ETH_DST, mac.bytes(), mask.bytes());
        }

        public Builder ethDst(String mac) {
            return ethDst(MacAddress.parse(mac));
        }

        public Builder ethDst(String mac, String mask) {
            return ethDst(MacAddress.parse(mac), MacAddress.parse(mask));
        }

        /** Ethertype, e.g. 0x0800 (IPv4), 0x86dd (IPv6), 0x0806 (ARP). */
        public Builder ethType(int ethType) {
            return exact(OxmFields.ETH_TYPE, ethType);
        }

        public Builder arpOp(int op) {
            return exact(OxmFields.ARP_OP, op);
        }

        /** ARP sender protocol address, {@code "10.0.0.1"} or {@code "10.0.0.0/24"}. */
        public Builder arpSpa(String cidr) {
            return ipv4(OxmFields.ARP_SPA, cidr);
        }

        public Builder arpTpa(String cidr) {
            return ipv4(OxmFields.ARP_TPA, cidr);
        }

        public Builder arpSha(MacAddress mac) {
            return field(MatchField.exact(OxmFields.ARP_SHA, mac.bytes()));
        }

        public Builder arpSha(String mac) {
            return arpSha(MacAddress.parse(mac));
        }

        public Builder arpTha(MacAddress mac) {
            return field(MatchField.exact(OxmFields.ARP_THA, mac.bytes()));
        }

        public Builder arpTha(String mac) {
            return arpTha(MacAddress.parse(mac));
        }

        /** IPv4 source, {@code "10.0.0.1"}, {@code "10.0.0.0/24"} or {@code "10.0.0.0/255.255.0.255"}. */
        public Builder ipv4Src(String cidr) {
            return ipv4(OxmFields.IPV4_SRC, cidr);
        }

        public Builder ipv4Src(InetAddress address, int prefixLength) {
            return ipv4(OxmFields.IPV4_SRC, address, prefixLength);
        }

        public Builder ipv4Dst(String cidr) {
            return ipv4(OxmFields.IPV4_DST, cidr);
        }

        public Builder ipv4Dst(InetAddress address, int prefixLength) {
            return ipv4(OxmFields.IPV4_DST, address, prefixLength);
        }

        /** IPv6 source, {@code "fd00::1"} or {@code "fd00::/64"}. */
        public Builder ipv6Src(String cidr) {
            return ipv6(OxmFields.IPV6_SRC, cidr);
        }

        public Builder ipv6Src(InetAddress address, int prefixLength) {
            return ipv6(OxmFields.IPV6_SRC, address, prefixLength);
        }

        public Builder ipv6Dst(String cidr) {
            return ipv6(OxmFields.IPV6_DST, cidr);
        }

        public Builder ipv6Dst(InetAddress address, int prefixLength) {
            return ipv6(OxmFields.IPV6_DST, address, prefixLength);
        }

        public Builder ipProto(int proto) {
            return exact(OxmFields.IP_PROTO, proto);
        }

        /** DSCP, 0..63 (the upper six bits of the TOS byte; OVS prints it as nw_tos=dscp*4). */
        public Builder ipDscp(int dscp) {
            if (dscp < 0 || dscp > 63) {
                throw new IllegalArgumentException("ip_dscp: " + dscp + " out of range 0..63");
            }
            return exact(OxmFields.IP_DSCP, dscp);
        }

        public Builder icmpType(int type) {
            return exact(OxmFields.ICMPV4_TYPE, type);
        }

        public Builder icmpCode(int code) {
            return exact(OxmFields.ICMPV4_CODE, code);
        }

        public Builder icmpv6Type(int type) {
            return exact(OxmFields.ICMPV6_TYPE, type);
        }

        public Builder icmpv6Code(int code) {
            return exact(OxmFields.ICMPV6_CODE, code);
        }

        public Builder tcpSrc(int port) {
            return exact(OxmFields.TCP_SRC, port);
        }

        public Builder tcpSrc(int port, int mask) {
            return masked(OxmFields.TCP_SRC, port, mask);
        }

        public Builder tcpDst(int port) {
            return exact(OxmFields.TCP_DST, port);
        }

        public Builder tcpDst(int port, int mask) {
            return masked(OxmFields.TCP_DST, port, mask);
        }

        public Builder udpSrc(int port) {
            return exact(OxmFields.UDP_SRC, port);
        }

        public Builder udpSrc(int port, int mask) {
            return masked(OxmFields.UDP_SRC, port, mask);
        }

        public Builder udpDst(int port) {
            return exact(OxmFields.UDP_DST, port);
        }

        public Builder udpDst(int port, int mask) {
            return masked(OxmFields.UDP_DST, port, mask);
        }

        public Builder sctpSrc(int port) {
            return exact(OxmFields.SCTP_SRC, port);
        }

        public Builder sctpSrc(int port, int mask) {
            return masked(OxmFields.SCTP_SRC, port, mask);
        }

        public Builder sctpDst(int port) {
            return exact(OxmFields.SCTP_DST, port);
        }

        public Builder sctpDst(int port, int mask) {
            return masked(OxmFields.SCTP_DST, port, mask);
        }

        /** Tunnel id (VNI for geneve/vxlan), {@code OXM_OF_TUNNEL_ID}. */
        public Builder tunnelId(long id) {
            return field(MatchField.exact(OxmFields.TUNNEL_ID, Bytes.ofLong(id, 8)));
        }

        public Builder tunnelId(long id, long mask) {
            return field(MatchField.masked(OxmFields.TUNNEL_ID, Bytes.ofLong(id & mask, 8), Bytes.ofLong(mask, 8)));
        }

        /** Outer IPv4 source of the tunnel the packet came in on ({@code tun_src}). */
        public Builder tunIpv4Src(String cidr) {
            return ipv4(OxmFields.TUN_IPV4_SRC, cidr);
        }

        /** Outer IPv4 destination of the tunnel the packet came in on ({@code tun_dst}). */
        public Builder tunIpv4Dst(String cidr) {
            return ipv4(OxmFields.TUN_IPV4_DST, cidr);
        }

        public Builder metadata(long value) {
            return field(MatchField.exact(OxmFields.METADATA, Bytes.ofLong(value, 8)));
        }

        public Builder metadata(long value, long mask) {
            return field(MatchField.masked(OxmFields.METADATA, Bytes.ofLong(value & mask, 8), Bytes.ofLong(mask, 8)));
        }

        /** 32-bit Nicira register {@code reg<index>}, index 0..15, value 0..0xffffffff. */
        public Builder reg(int index, long value) {
            return exact(OxmFields.reg(index), value);
        }

        public Builder reg(int index, long value, long mask) {
            return masked(OxmFields.reg(index), value, mask);
        }

        /** 128-bit register {@code xxreg<index>}, index 0..3 (xxreg0 overlays reg0..reg3, reg0 most significant). */
        public Builder xxreg(int index, BigInteger value) {
            OxmField f = OxmFields.xxreg(index);
            return field(MatchField.exact(f, Bytes.ofBigInteger(f.name(), value, 16)));
        }

        public Builder xxreg(int index, BigInteger value, BigInteger mask) {
            OxmField f = OxmFields.xxreg(index);
            return masked(f, Bytes.ofBigInteger(f.name(), value, 16), Bytes.ofBigInteger(f.name() + " mask", mask, 16));
        }

        public Builder ctState(CtState state) {
            return masked(OxmFields.CT_STATE, state.flags(), state.mask());
        }

        /** Conntrack state in OVS flag form, e.g. {@code "+trk+new-est"}. */
        public Builder ctState(String flags) {
            return ctState(CtState.parse(flags));
        }

        public Builder ctZone(int zone) {
            return exact(OxmFields.CT_ZONE, zone);
        }

        public Builder ctMark(long mark) {
            return exact(OxmFields.CT_MARK, mark);
        }

        public Builder ctMark(long mark, long mask) {
            return masked(OxmFields.CT_MARK, mark, mask);
        }

        public Builder ctLabel(BigInteger label) {
            return field(MatchField.exact(OxmFields.CT_LABEL, Bytes.ofBigInteger("ct_label", label, 16)));
        }

        public Builder ctLabel(BigInteger label, BigInteger mask) {
            return masked(OxmFields.CT_LABEL, Bytes.ofBigInteger("ct_label", label, 16),
                    Bytes.ofBigInteger("ct_label mask", mask, 16));
        }

        public Builder conjId(long id) {
            return exact(OxmFields.CONJ_ID, id);
        }

        public Builder pktMark(long mark) {
            return exact(OxmFields.PKT_MARK, mark);
        }

        public Builder pktMark(long mark, long mask) {
            return masked(OxmFields.PKT_MARK, mark, mask);
        }

        public Match build() {
            return new Match(fields);
        }

        private Builder ipv4(OxmField f, String cidr) {
            Objects.requireNonNull(cidr, f.name());
            int slash = cidr.indexOf('/');
            byte[] addr = Bytes.parseIpv4(f.name(), slash < 0 ? cidr : cidr.substring(0, slash));
            if (slash < 0) {
                return field(MatchField.exact(f, addr));
            }
            String m = cidr.substring(slash + 1);
            byte[] mask = m.contains(".") ? Bytes.parseIpv4(f.name() + " mask", m)
                    : Bytes.prefixMask(f.name(), parsePrefix(f, m, 32), 4);
            return masked(f, addr, mask);
        }

        private Builder ipv4(OxmField f, InetAddress address, int prefixLength) {
            if (!(address instanceof Inet4Address)) {
                throw new IllegalArgumentException(f.name() + ": not an IPv4 address: " + address);
            }
            return masked(f, address.getAddress(), Bytes.prefixMask(f.name(), prefixLength, 4));
        }

        private Builder ipv6(OxmField f, String cidr) {
            Objects.requireNonNull(cidr, f.name());
            int slash = cidr.indexOf('/');
            byte[] addr = parseIpv6(f, slash < 0 ? cidr : cidr.substring(0, slash));
            if (slash < 0) {
                return field(MatchField.exact(f, addr));
            }
            String m = cidr.substring(slash + 1);
            byte[] mask = m.contains(":") ? parseIpv6(f, m) : Bytes.prefixMask(f.name(), parsePrefix(f, m, 128), 16);
            return masked(f, addr, mask);
        }

        private Builder ipv6(OxmField f, InetAddress address, int prefixLength) {
            if (!(address instanceof Inet6Address)) {
                throw new IllegalArgumentException(f.name() + ": not an IPv6 address: " + address);
            }
            return masked(f, address.getAddress(), Bytes.prefixMask(f.name(), prefixLength, 16));
        }

        private static int parsePrefix(OxmField f, String text, int max) {
            try {
                int p = Integer.parseInt(text);
                if (p < 0 || p > max) {
                    throw new IllegalArgumentException(f.name() + ": prefix length " + p + " out of range 0.." + max);
                }
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(f.name() + ": bad prefix length '" + text + "'", e);
            }
        }

        private static byte[] parseIpv6(OxmField f, String text) {
            if (!text.contains(":")) {
                throw new IllegalArgumentException(f.name() + ": not an IPv6 address: '" + text + "'");
            }
            try {
                byte[] b = InetAddress.getByName(text).getAddress();
                if (b.length != 16) {
                    throw new IllegalArgumentException(f.name() + ": not an IPv6 address: '" + text + "'");
                }
                return b;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(f.name() + ": not an IPv6 address: '" + text + "'", e);
            }
        }

        private static long checkRange(OxmField f, long value, int bits) {
            if (bits < 64 && (value < 0 || value >= (1L << bits))) {
                throw new IllegalArgumentException(f.name() + ": value " + value + " (0x" + Long.toHexString(value)
                        + ") does not fit in " + bits + " bits");
            }
            return value;
        }

        private static void checkMaskRange(OxmField f, long mask, int bits) {
            if (bits < 64 && (mask < 0 || mask >= (1L << bits))) {
                throw new IllegalArgumentException(f.name() + ": mask 0x" + Long.toHexString(mask)
                        + " does not fit in " + bits + " bits");
            }
        }
    }
}
