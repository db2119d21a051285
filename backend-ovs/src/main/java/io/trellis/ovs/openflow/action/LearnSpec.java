package io.trellis.ovs.openflow.action;

import io.trellis.ovs.openflow.match.Subfield;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One {@code flow_mod_spec} of an NXAST_LEARN action (OVS {@code nicira-ext.h}): what the learned
 * flow matches on, loads, or outputs to.
 */
public sealed interface LearnSpec {

    /** Width of the value in bits. */
    int nBits();

    /** Match {@code dst} against the current packet's {@code src} bits ({@code NXM_OF_TCP_DST[]} when src = dst). */
    record MatchFromField(Subfield src, Subfield dst) implements LearnSpec {
        public MatchFromField {
            sameWidth(src, dst);
        }

        /** {@code FIELD[]}: the learned flow matches the field's current value. */
        public static MatchFromField same(Subfield field) {
            return new MatchFromField(field, field);
        }

        @Override
        public int nBits() {
            return dst.nBits();
        }
    }

    /** Match {@code dst} against a constant ({@code eth_type=0x800}); value is big-endian, its low {@code dst.nBits()} bits count. */
    record MatchImmediate(byte[] value, Subfield dst) implements LearnSpec {
        public MatchImmediate {
            value = immediate(value, dst);
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public int nBits() {
            return dst.nBits();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MatchImmediate m && Arrays.equals(value, m.value) && dst.equals(m.dst);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(value) + dst.hashCode();
        }

        @Override
        public String toString() {
            return "MatchImmediate[0x" + HexFormat.of().formatHex(value) + " -> " + dst + "]";
        }
    }

    /** The learned flow loads the current packet's {@code src} bits into {@code dst} ({@code load:A[]->B[]}). */
    record LoadFromField(Subfield src, Subfield dst) implements LearnSpec {
        public LoadFromField {
            sameWidth(src, dst);
        }

        @Override
        public int nBits() {
            return dst.nBits();
        }
    }

    /** The learned flow loads a constant into {@code dst} ({@code load:0x1->NXM_NX_REG0[19]}). */
    record LoadImmediate(byte[] value, Subfield dst) implements LearnSpec {
        public LoadImmediate {
            value = immediate(value, dst);
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public int nBits() {
            return dst.nBits();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LoadImmediate m && Arrays.equals(value, m.value) && dst.equals(m.dst);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(value) + dst.hashCode();
        }

        @Override
        public String toString() {
            return "LoadImmediate[0x" + HexFormat.of().formatHex(value) + " -> " + dst + "]";
        }
    }

    /** The learned flow outputs to the port in the current packet's {@code src} bits ({@code output:NXM_OF_IN_PORT[]}). */
    record OutputFromField(Subfield src) implements LearnSpec {
        public OutputFromField {
            Objects.requireNonNull(src, "src");
        }

        @Override
        public int nBits() {
            return src.nBits();
        }
    }

    /** Immediate value of a spec from a long ({@code 0x1}). */
    static byte[] immediateOf(long value, Subfield dst) {
        byte[] b = new byte[immediateLength(dst.nBits())];
        for (int i = b.length - 1; i >= 0 && i >= b.length - 8; i--) {
            b[i] = (byte) value;
            value >>>= 8;
        }
        return b;
    }

    /** Bytes an immediate of {@code nBits} takes on the wire: whole 16-bit units. */
    static int immediateLength(int nBits) {
        return (nBits + 15) / 16 * 2;
    }

    private static void sameWidth(Subfield src, Subfield dst) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src.nBits() != dst.nBits()) {
            throw new IllegalArgumentException("learn: source " + src + " has " + src.nBits()
                    + " bits, destination " + dst + " has " + dst.nBits());
        }
    }

    /**
     * Normalises an immediate to the wire length for {@code dst} (whole 16-bit units), left-padding
     * with zeros; rejects values with bits set beyond {@code dst.nBits()}.
     */
    private static byte[] immediate(byte[] value, Subfield dst) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(dst, "dst");
        int len = immediateLength(dst.nBits());
        byte[] b = new byte[len];
        int extra = value.length - len;
        for (int i = 0; i < value.length; i++) {
            int j = i - extra;
            if (j < 0) {
                if (value[i] != 0) {
                    throw new IllegalArgumentException("learn: immediate 0x" + HexFormat.of().formatHex(value)
                            + " wider than " + dst.nBits() + " bits of " + dst);
                }
            } else {
                b[j] = value[i];
            }
        }
        // bits above nBits inside the first unit must be zero too
        int spare = len * 8 - dst.nBits();
        for (int bit = 0; bit < spare; bit++) {
            if ((b[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("learn: immediate 0x" + HexFormat.of().formatHex(value)
                        + " wider than " + dst.nBits() + " bits of " + dst);
            }
        }
        return b;
    }
}
