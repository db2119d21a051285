package io.trellis.bench;

import java.util.List;
import java.util.Locale;

/** The data planes a side-by-side benchmark measures ({@code --backend ovs|iptables|both}), in this order. */
enum BenchBackend {
    OVS, IPTABLES;

    /** The name {@code lab up --backend} and the reports use. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code ovs}, {@code iptables} or {@code both}. */
    static List<BenchBackend> parse(String value) {
        return switch (String.valueOf(value)) {
            case "ovs" -> List.of(OVS);
            case "iptables" -> List.of(IPTABLES);
            case "both" -> List.of(OVS, IPTABLES);
            default -> throw new IllegalArgumentException("--backend takes ovs, iptables or both, got '" + value + "'");
        };
    }
}
