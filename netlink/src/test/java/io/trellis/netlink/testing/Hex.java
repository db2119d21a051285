package io.trellis.netlink.testing;

import java.util.HexFormat;

/** Hand-written byte expectations: hex with any whitespace and '|' separators for readability. */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String text) {
        return HexFormat.of().parseHex(text.replaceAll("[\\s|]", ""));
    }

    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
