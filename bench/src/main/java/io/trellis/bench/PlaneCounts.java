package io.trellis.bench;

/**
 * What a data plane holds for the Services, read back from it: {@code services} per-Service objects
 * (OVS groups, iptables {@code TRELLIS-SVC-} chains) and {@code entries} (OVS flows, iptables
 * {@code TRELLIS-SEP-} chains: one per Service and endpoint).
 */
record PlaneCounts(long entries, long services) {
    PlaneCounts {
        if (entries < 0 || services < 0) {
            throw new IllegalArgumentException("negative count: entries=" + entries + " services=" + services);
        }
    }
}
