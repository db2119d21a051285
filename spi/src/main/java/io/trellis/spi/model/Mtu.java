package io.trellis.spi.model;

/** The pod interface MTU policy: derived from the uplink by the backend, or fixed by the administrator. */
public sealed interface Mtu {

    /**
     * Smallest fixed MTU accepted: the IPv6 minimum link MTU (RFC 8200 section 5), since pods may be
     * dual-stack.
     */
    int MIN = 1280;
    /** Largest fixed MTU accepted: the largest IP packet (the IPv4 total length is 16 bits). */
    int MAX = 65535;

    /** Derived: the uplink MTU minus the node route driver's encapsulation overhead (0 for routing). */
    record Auto() implements Mtu {
        @Override
        public String toString() {
            return "auto";
        }
    }

    /** An MTU chosen by the administrator, used as is on every pod interface. */
    record Fixed(int value) implements Mtu {
        public Fixed {
            if (value < MIN || value > MAX) {
                throw new IllegalArgumentException("MTU must be " + MIN + ".." + MAX + ", got " + value);
            }
        }

        @Override
        public String toString() {
            return Integer.toString(value);
        }
    }
}
