package io.trellis.ovs.openflow.match;

import java.math.BigInteger;

/** Big-endian conversions between numbers/addresses and field bytes. */
public final class Bytes {

    private Bytes() {
    }

    /** The low {@code length} bytes of {@code value}, big-endian. */
    public static byte[] ofLong(long value, int length) {
        byte[] b = new byte[length];
        for (int i = length - 1; i >= 0 && i >= length - 8; i--) {
            b[i] = (byte) value;
            value >>>= 8;
        }
        return b;
    }

    /** Unsigned big-endian value of up to 8 bytes. */
    public static long toLong(byte[] bytes) {
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xff);
        }
        return v;
    }

    public static BigInteger toBigInteger(byte[] bytes) {
        return new BigInteger(1, bytes);
    }

    /** {@code value} as exactly {@code length} unsigned big-endian bytes; {@code what} names it in errors. */
    public static byte[] ofBigInteger(String what, BigInteger value, int length) {
        if (value.signum() < 0 || value.bitLength() > length * 8) {
            throw new IllegalArgumentException(what + ": value 0x" + value.toString(16)
                    + " does not fit in " + (length * 8) + " unsigned bits");
        }
        byte[] raw = value.toByteArray();
        byte[] b = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, b, length - copy, copy);
        return b;
    }

    public static byte[] prefixMask(String what, int prefixLength, int length) {
        if (prefixLength < 0 || prefixLength > length * 8) {
            throw new IllegalArgumentException(what + ": prefix length " + prefixLength
                    + " out of range 0.." + (length * 8));
        }
        byte[] m = new byte[length];
        for (int i = 0; i < prefixLength; i++) {
            m[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return m;
    }

    public static byte[] parseIpv4(String what, String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(what + ": not an IPv4 address: '" + text + "'");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            try {
                int v = Integer.parseInt(parts[i]);
                if (v < 0 || v > 255 || parts[i].isEmpty() || parts[i].length() > 3) {
                    throw new IllegalArgumentException(what + ": not an IPv4 address: '" + text + "'");
                }
                b[i] = (byte) v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": not an IPv4 address: '" + text + "'", e);
            }
        }
        return b;
    }
}
