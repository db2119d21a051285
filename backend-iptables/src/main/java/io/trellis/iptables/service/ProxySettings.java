package io.trellis.iptables.service;

import io.trellis.spi.BackendSettings;
import java.util.Set;

/**
 * The Service proxy's keys of {@code settings.iptables}.
 *
 * @param masqueradeBit the packet mark bit (0..31) that flags connections for masquerade; default 14
 *                      (0x4000, kube-proxy's), change it when another program on the node uses that bit
 */
record ProxySettings(int masqueradeBit) {

    static final String MASQUERADE_BIT = "masqueradeBit";
    static final Set<String> KEYS = Set.of(MASQUERADE_BIT);
    static final int DEFAULT_MASQUERADE_BIT = 14;

    ProxySettings {
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masqueradeBit must be 0..31, got " + masqueradeBit);
        }
    }

    /** Reads the keys this proxy knows; errors name the setting's path and value. */
    static ProxySettings from(BackendSettings settings) {
        int bit = (int) settings.integer(MASQUERADE_BIT, 0, 31).orElse(DEFAULT_MASQUERADE_BIT);
        return new ProxySettings(bit);
    }

    /** The mark as iptables prints it: {@code 0x4000}. */
    String mark() {
        return "0x" + Long.toHexString(1L << masqueradeBit);
    }
}
