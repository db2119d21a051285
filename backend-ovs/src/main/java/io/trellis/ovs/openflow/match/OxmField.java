package io.trellis.ovs.openflow.match;

import java.util.Objects;

/**
 * One OXM/NXM match field header as it appears on the wire: the 16-bit class, the 7-bit field
 * number and the length of the (unmasked) value in bytes.
 *
 * <p>OVS accepts the Nicira NXM classes ({@code 0x0000} NXM_OF, {@code 0x0001} NXM_NX) inside
 * OpenFlow 1.2+ OXM matches, so one logical field (say "eth_type") can have two headers; each
 * header is its own {@code OxmField}. {@link #name()} is the OVS meta-flow name of the logical
 * field (the name {@code set_field:...->NAME} uses), see {@link OxmFields} for the catalogue.
 *
 * @param name      OVS field name, e.g. {@code "reg0"}, {@code "tun_dst"}, or
 *                  {@code "unknown(class=0x1234,field=5)"} for fields not in the catalogue
 * @param oxmClass  OXM class, 0..0xffff (0x8000 OpenFlow basic, 0x0000/0x0001 Nicira, 0xffff experimenter)
 * @param field     OXM field number, 0..127
 * @param length    value length in bytes (for experimenter fields: including the 4-byte experimenter id)
 * @param maskable  whether a mask (OXM "has mask" bit) is allowed
 */
public record OxmField(String name, int oxmClass, int field, int length, boolean maskable) {

    public OxmField {
        Objects.requireNonNull(name, "name");
        if (oxmClass < 0 || oxmClass > 0xffff) {
            throw new IllegalArgumentException("OXM class out of range: " + oxmClass);
        }
        if (field < 0 || field > 0x7f) {
            throw new IllegalArgumentException("OXM field number out of range: " + field + " (" + name + ")");
        }
        if (length < 0 || length > 0xff) {
            throw new IllegalArgumentException("OXM length out of range: " + length + " (" + name + ")");
        }
    }

    /** The 32-bit OXM header without the has-mask bit. */
    public int header() {
        return (oxmClass << 16) | (field << 9) | length;
    }

    /** The OXM header as {@code class=0x0001 field=105}, for error messages. */
    public String describe() {
        return String.format("%s (class=0x%04x field=%d)", name, oxmClass, field);
    }
}
