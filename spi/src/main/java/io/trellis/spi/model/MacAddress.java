package io.trellis.spi.model;

import static java.util.Objects.requireNonNull;

import java.util.HexFormat;

/** An Ethernet MAC address, held as its 48-bit value so that records holding it compare by value. */
public record MacAddress(long value) {
    public MacAddress {
        if ((value >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address is 48 bits, got 0x" + Long.toHexString(value));
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (either case); throws {@link IllegalArgumentException} quoting the text. */
    public static MacAddress parse(String text) {
        requireNonNull(text, "text");
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address (six hex octets separated by ':')");
        }
        long value = 0;
        for (String part : parts) {
            if (part.length() != 2 || !HexFormat.isHexDigit(part.charAt(0)) || !HexFormat.isHexDigit(part.charAt(1))) {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address (six hex octets separated by ':')");
            }
            value = (value << 8) | HexFormat.fromHexDigits(part);
        }
        return new MacAddress(value);
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address is 6 bytes, got " + bytes.length);
        }
        long value = 0;
        for (byte b : bytes) {
            value = (value << 8) | (b & 0xff);
        }
        return new MacAddress(value);
    }

    public byte[] bytes() {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (value >>> (40 - 8 * i));
        }
        return out;
    }

    /** The I/G bit of the first octet: set for group (multicast and broadcast) addresses, which no interface may take. */
    public boolean isMulticast() {
        return ((value >>> 40) & 0x01) != 0;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes());
    }
}
