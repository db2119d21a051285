package io.trellis.netlink.route;

import java.util.HexFormat;

/** A 48-bit Ethernet address, held as the low 48 bits of a long. */
public record MacAddress(long bits) {
    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: 0x" + Long.toHexString(bits));
        }
    }

    /** Parses "02:42:ac:11:00:02". */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("MAC address '" + text + "': expected 6 colon-separated octets");
        }
        long bits = 0;
        for (String p : parts) {
            if (p.length() != 2) {
                throw new IllegalArgumentException("MAC address '" + text + "': octet '" + p + "' is not 2 hex digits");
            }
            try {
                bits = (bits << 8) | HexFormat.fromHexDigits(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("MAC address '" + text + "': octet '" + p + "' is not hex", e);
            }
        }
        return new MacAddress(bits);
    }

    public static MacAddress of(byte[] octets) {
        if (octets.length != 6) {
            throw new IllegalArgumentException("MAC address: " + octets.length + " octets, expected 6");
        }
        long bits = 0;
        for (byte b : octets) {
            bits = (bits << 8) | Byte.toUnsignedLong(b);
        }
        return new MacAddress(bits);
    }

    public byte[] octets() {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (bits >>> (8 * (5 - i)));
        }
        return out;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(octets());
    }
}
