package io.trellis.netlink.route;

import java.nio.charset.StandardCharsets;

/** Validation of Linux interface names (dev_valid_name in net/core/dev.c: 1..15 bytes, no '/', ':' or space). */
public final class InterfaceName {
    /** IFNAMSIZ - 1 (the kernel keeps a NUL in a 16-byte buffer). */
    public static final int MAX_LENGTH = 15;

    private InterfaceName() {
    }

    public static String check(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_LENGTH) {
            throw new IllegalArgumentException("interface name '" + name + "' is " + bytes + " bytes, max " + MAX_LENGTH);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("interface name '" + name + "' is reserved");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                throw new IllegalArgumentException("interface name '" + name + "' contains an invalid character at " + i);
            }
        }
        return name;
    }
}
