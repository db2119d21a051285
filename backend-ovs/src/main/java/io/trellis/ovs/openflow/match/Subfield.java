package io.trellis.ovs.openflow.match;

import java.util.Objects;

/**
 * A bit range of a field, as Nicira actions address it ({@code NXM_NX_REG0[0..15]}): start bit
 * {@code ofs} (0 = least significant) and width {@code nBits}.
 */
public record Subfield(OxmField field, int ofs, int nBits) {

    public Subfield {
        Objects.requireNonNull(field, "field");
        int width = OxmFields.isExperimenter(field) ? (field.length() - 4) * 8 : field.length() * 8;
        if (ofs < 0 || nBits < 1 || ofs + nBits > width) {
            throw new IllegalArgumentException(field.name() + ": bits [" + ofs + ".." + (ofs + nBits - 1)
                    + "] outside the field's " + width + " bits");
        }
    }

    /** The whole field ({@code NXM_NX_REG0[]}), its significant bits as OVS counts them. */
    public static Subfield whole(OxmField field) {
        return new Subfield(field, 0, OxmFields.nBits(field));
    }

    /** Bits {@code from..to} inclusive ({@code NXM_NX_REG0[16..31]}). */
    public static Subfield range(OxmField field, int from, int to) {
        return new Subfield(field, from, to - from + 1);
    }

    /** A single bit ({@code NXM_NX_REG0[19]}). */
    public static Subfield bit(OxmField field, int bit) {
        return new Subfield(field, bit, 1);
    }

    public boolean isWhole() {
        return ofs == 0 && nBits == OxmFields.nBits(field);
    }
}
