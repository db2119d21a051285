package io.trellis.ovs.openflow.match;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One field of a match (or the target of a set_field): the header, the value and an optional
 * mask, all as wire bytes (network byte order). Arrays are copied in and out.
 *
 * @param field header
 * @param value value bytes, exactly {@code field.length()} long
 * @param mask  mask bytes of the same length, or {@code null} for an exact match
 */
public record MatchField(OxmField field, byte[] value, byte[] mask) {

    public MatchField {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(value, "value");
        value = value.clone();
        if (value.length != field.length()) {
            throw new IllegalArgumentException(field.name() + ": value length " + value.length
                    + ", expected " + field.length());
        }
        if (mask != null) {
            mask = mask.clone();
            if (!field.maskable()) {
                throw new IllegalArgumentException(field.name() + ": field is not maskable");
            }
            int expected = OxmFields.isExperimenter(field) ? field.length() - 4 : field.length();
            if (mask.length != expected) {
                throw new IllegalArgumentException(field.name() + ": mask length " + mask.length
                        + ", expected " + expected);
            }
        }
    }

    /** Exact match. */
    public static MatchField exact(OxmField field, byte[] value) {
        return new MatchField(field, value, null);
    }

    /** Masked match; a mask of all ones is stored as {@code null} (exact), as OVS does. */
    public static MatchField masked(OxmField field, byte[] value, byte[] mask) {
        if (mask == null || isAllOnes(mask)) {
            return new MatchField(field, value, null);
        }
        return new MatchField(field, value, mask);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public byte[] mask() {
        return mask == null ? null : mask.clone();
    }

    public Optional<byte[]> maskOpt() {
        return Optional.ofNullable(mask());
    }

    public boolean hasMask() {
        return mask != null;
    }

    /** The value as an unsigned big-endian number (fields up to 8 bytes). */
    public long valueAsLong() {
        return toLong(value);
    }

    /** The mask as an unsigned number; all ones (of the field width) when there is no mask. */
    public long maskAsLong() {
        if (mask == null) {
            return value.length >= 8 ? -1L : (1L << (8 * value.length)) - 1;
        }
        return toLong(mask);
    }

    /** On-wire size of this TLV: 4-byte header, value, mask. */
    public int wireLength() {
        return 4 + value.length + (mask == null ? 0 : mask.length);
    }

    static long toLong(byte[] bytes) {
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xff);
        }
        return v;
    }

    static boolean isAllOnes(byte[] bytes) {
        for (byte b : bytes) {
            if (b != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MatchField other
                && field.equals(other.field)
                && Arrays.equals(value, other.value)
                && Arrays.equals(mask, other.mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, Arrays.hashCode(value), Arrays.hashCode(mask));
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return field.name() + "=0x" + hex.formatHex(value) + (mask == null ? "" : "/0x" + hex.formatHex(mask));
    }
}
