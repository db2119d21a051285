package io.trellis.ovs.openflow.message;

/** Range checks for unsigned wire fields held in Java ints/longs; messages name the field. */
final class Check {
    private Check() {
    }

    static int u8(String field, int value) {
        if (value < 0 || value > 0xff) {
            throw new IllegalArgumentException(field + " must be 0..255, got " + value);
        }
        return value;
    }

    static int u16(String field, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(field + " must be 0..65535, got " + value);
        }
        return value;
    }

    static long u32(String field, long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException(field + " must be 0..4294967295, got " + value);
        }
        return value;
    }
}
