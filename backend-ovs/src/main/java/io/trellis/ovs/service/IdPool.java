package io.trellis.ovs.service;

import java.util.BitSet;

/** Hands out the lowest free id in 1..max and takes ids back; not thread-safe (the proxy guards it). */
final class IdPool {

    private final String what;
    private final int max;
    private final BitSet used = new BitSet();

    IdPool(String what, int max) {
        this.what = what;
        this.max = max;
    }

    int allocate() {
        int id = used.nextClearBit(1);
        if (id < 1 || id > max) {
            throw new IllegalStateException("no free " + what + " left in 1.." + max);
        }
        used.set(id);
        return id;
    }

    void release(int id) {
        used.clear(id);
    }

    void clear() {
        used.clear();
    }
}
