package io.trellis.cni.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CNI spec versions trellis-cni speaks, with the differences between them that the plugin
 * has to honour (containernetworking/cni SPEC.md at tags spec-v0.3.0 ... spec-v1.1.0).
 */
public enum CniVersion {
    V0_3_0("0.3.0"),
    V0_3_1("0.3.1"),
    V0_4_0("0.4.0"),
    V1_0_0("1.0.0"),
    V1_1_0("1.1.0");

    private final String text;

    CniVersion(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static Optional<CniVersion> parse(String text) {
        for (CniVersion v : values()) {
            if (v.text.equals(text)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    public static CniVersion latest() {
        return V1_1_0;
    }

    public static List<String> supportedTexts() {
        List<String> out = new ArrayList<>();
        for (CniVersion v : values()) {
            out.add(v.text);
        }
        return List.copyOf(out);
    }

    /** CHECK and prevResult on DEL came with 0.4.0. */
    public boolean hasCheck() {
        return compareTo(V0_4_0) >= 0;
    }

    /** STATUS and GC came with 1.1.0. */
    public boolean hasStatusAndGc() {
        return compareTo(V1_1_0) >= 0;
    }

    /** 0.3.x and 0.4.0 results carry {@code "version": "4"|"6"} on every ips entry; 1.0.0 dropped it. */
    public boolean ipsCarryVersion() {
        return compareTo(V1_0_0) < 0;
    }

    /**
     * 1.1.0 added interface {@code mtu}, {@code socketPath}, {@code pciID} and route {@code mtu},
     * {@code advmss}, {@code priority}, {@code table}, {@code scope}.
     */
    public boolean hasRichInterfacesAndRoutes() {
        return compareTo(V1_1_0) >= 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
