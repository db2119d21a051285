package io.trellis.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A parsed, ordered run of netlink attributes with typed, length-checked accessors. A malformed run or an
 * attribute whose length does not fit its type gives a {@link NetlinkFormatException} naming the context
 * and the attribute.
 */
public final class Attributes {
    private final String context;
    private final List<Attribute> attributes;

    private Attributes(String context, List<Attribute> attributes) {
        this.context = context;
        this.attributes = List.copyOf(attributes);
    }

    /** Parses {@code length} bytes starting at absolute {@code offset} of {@code buffer}. */
    public static Attributes parse(ByteBuffer buffer, int offset, int length, String context) {
        Objects.requireNonNull(context, "context");
        ByteBuffer in = buffer.duplicate().order(Netlink.ORDER);
        List<Attribute> out = new ArrayList<>();
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            int rel = pos - offset;
            int left = end - pos;
            if (left < Netlink.NLA_HDRLEN) {
                throw new NetlinkFormatException(context + ": truncated attribute header at offset " + rel + ": "
                        + left + " bytes left, need " + Netlink.NLA_HDRLEN);
            }
            int nlaLen = Short.toUnsignedInt(in.getShort(pos));
            int rawType = Short.toUnsignedInt(in.getShort(pos + 2));
            int type = rawType & Netlink.NLA_TYPE_MASK;
            if (nlaLen < Netlink.NLA_HDRLEN) {
                throw new NetlinkFormatException(context + ": attribute type " + type + " at offset " + rel
                        + ": nla_len " + nlaLen + " is shorter than its header (" + Netlink.NLA_HDRLEN + ")");
            }
            if (nlaLen > left) {
                throw new NetlinkFormatException(context + ": attribute type " + type + " at offset " + rel
                        + ": nla_len " + nlaLen + " exceeds the " + left + " bytes left");
            }
            byte[] value = new byte[nlaLen - Netlink.NLA_HDRLEN];
            in.get(pos + Netlink.NLA_HDRLEN, value);
            out.add(new Attribute(type, rawType & ~Netlink.NLA_TYPE_MASK, value));
            // The last attribute may omit its trailing padding.
            pos += Math.min(Netlink.align(nlaLen), left);
        }
        return new Attributes(context, out);
    }

    public static Attributes parse(byte[] bytes, String context) {
        return parse(ByteBuffer.wrap(bytes), 0, bytes.length, context);
    }

    public String context() {
        return context;
    }

    public List<Attribute> all() {
        return attributes;
    }

    public boolean has(AttrType type) {
        return find(type).isPresent();
    }

    /** The first attribute of this type (the kernel never repeats the ones this library reads singly). */
    public Optional<Attribute> find(AttrType type) {
        return attributes.stream().filter(a -> a.type() == type.id()).findFirst();
    }

    public List<Attribute> findAll(AttrType type) {
        return attributes.stream().filter(a -> a.type() == type.id()).toList();
    }

    public Optional<byte[]> bytes(AttrType type) {
        return find(type).map(Attribute::value);
    }

    /** A NUL-terminated string attribute; trailing NULs are removed. */
    public Optional<String> string(AttrType type) {
        return find(type).map(a -> {
            byte[] v = a.value();
            int n = v.length;
            while (n > 0 && v[n - 1] == 0) {
                n--;
            }
            return new String(v, 0, n, StandardCharsets.UTF_8);
        });
    }

    public OptionalInt u8(AttrType type) {
        Optional<Attribute> a = find(type);
        if (a.isEmpty()) {
            return OptionalInt.empty();
        }
        checkLength(type, a.get(), 1);
        return OptionalInt.of(Byte.toUnsignedInt(a.get().byteAt(0)));
    }

    public OptionalInt u16(AttrType type) {
        return fixed(type, 2, Netlink.ORDER).map(b -> OptionalInt.of(Short.toUnsignedInt(b.getShort())))
                .orElse(OptionalInt.empty());
    }

    /** A 16-bit value in network byte order (e.g. IFLA_VXLAN_PORT). */
    public OptionalInt be16(AttrType type) {
        return fixed(type, 2, ByteOrder.BIG_ENDIAN).map(b -> OptionalInt.of(Short.toUnsignedInt(b.getShort())))
                .orElse(OptionalInt.empty());
    }

    /** A 32-bit value; callers treat it as unsigned where the kernel does. */
    public OptionalInt u32(AttrType type) {
        return fixed(type, 4, Netlink.ORDER).map(b -> OptionalInt.of(b.getInt())).orElse(OptionalInt.empty());
    }

    public OptionalLong u64(AttrType type) {
        return fixed(type, 8, Netlink.ORDER).map(b -> OptionalLong.of(b.getLong())).orElse(OptionalLong.empty());
    }

    public Optional<Attributes> nested(AttrType type) {
        return find(type).map(a -> parse(a.value(), context + " " + type.name()));
    }

    /** Fails with a message naming the context and attribute when it is absent. */
    public <T> T require(AttrType type, Optional<T> value) {
        return value.orElseThrow(() -> new NetlinkFormatException(context + ": missing attribute " + type));
    }

    public int requireInt(AttrType type, OptionalInt value) {
        if (value.isEmpty()) {
            throw new NetlinkFormatException(context + ": missing attribute " + type);
        }
        return value.getAsInt();
    }

    private Optional<ByteBuffer> fixed(AttrType type, int size, ByteOrder order) {
        Optional<Attribute> a = find(type);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        checkLength(type, a.get(), size);
        return Optional.of(ByteBuffer.wrap(a.get().value()).order(order));
    }

    private void checkLength(AttrType type, Attribute a, int expected) {
        if (a.length() != expected) {
            throw new NetlinkFormatException(context + ": " + type + " length " + a.length() + ", expected " + expected);
        }
    }

    @Override
    public String toString() {
        return "Attributes[" + context + ": " + attributes + "]";
    }
}
