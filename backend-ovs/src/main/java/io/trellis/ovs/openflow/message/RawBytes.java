package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string: packet data, echo payloads, userdata and the raw bytes of anything
 * this library does not decode (so nothing received from OVS is lost). Value semantics, so the
 * message records that hold one compare by content.
 */
public final class RawBytes {

    public static final RawBytes EMPTY = new RawBytes(new byte[0]);

    private final byte[] data;

    private RawBytes(byte[] data) {
        this.data = data;
    }

    public static RawBytes of(byte... data) {
        requireNonNull(data, "data");
        return data.length == 0 ? EMPTY : new RawBytes(data.clone());
    }

    public static RawBytes fromHex(String hex) {
        requireNonNull(hex, "hex");
        return of(HexFormat.of().parseHex(hex.replaceAll("\\s+", "")));
    }

    /** Reads {@code length} bytes from {@code in}, advancing its reader index. */
    public static RawBytes read(ByteBuf in, int length) {
        if (length == 0) {
            return EMPTY;
        }
        byte[] data = new byte[length];
        in.readBytes(data);
        return new RawBytes(data);
    }

    public void writeTo(ByteBuf out) {
        out.writeBytes(data);
    }

    public int length() {
        return data.length;
    }

    public boolean isEmpty() {
        return data.length == 0;
    }

    public byte[] toArray() {
        return data.clone();
    }

    public String toHex() {
        return HexFormat.of().formatHex(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawBytes other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** Hex, shortened past 64 bytes so log lines stay readable. */
    @Override
    public String toString() {
        if (data.length <= 64) {
            return toHex();
        }
        return HexFormat.of().formatHex(data, 0, 64) + "...(" + data.length + " bytes)";
    }
}
