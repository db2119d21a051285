package io.trellis.bench;

/**
 * The {@code index}-th Service of the service-scale benchmark: its name, its slice's name and its
 * cluster IP, the {@code index + 1}-th address of {@value #SERVICE_CIDR} (what a control plane's
 * ClusterIP allocator would hand out; the agent only reads it).
 */
record ScaleService(int index) {
    static final String NAMESPACE = "scale";
    static final String SERVICE_CIDR = "172.30.0.0/16";
    /** 172.30.0.0 as an unsigned 32-bit number. */
    private static final long BASE = (172L << 24) | (30L << 16);
    /** Addresses 172.30.0.1 .. 172.30.255.254. */
    static final int MAX = (1 << 16) - 2;
    static final String PORT_NAME = "http";
    static final int PORT = 80;
    static final int TARGET_PORT = 8080;

    ScaleService {
        if (index < 0 || index >= MAX) {
            throw new IllegalArgumentException("service index " + index + " outside 0.." + (MAX - 1) + " (" + SERVICE_CIDR
                    + ")");
        }
    }

    String name() {
        return String.format(java.util.Locale.ROOT, "svc-%05d", index);
    }

    String sliceName() {
        return name() + "-1";
    }

    String clusterIp() {
        long a = BASE + index + 1;
        return ((a >> 24) & 0xff) + "." + ((a >> 16) & 0xff) + "." + ((a >> 8) & 0xff) + "." + (a & 0xff);
    }

    /** {@code clusterIp:port}, as {@link OvsCounts#frontendGroups} keys it. */
    String frontend() {
        return clusterIp() + ":" + PORT;
    }
}
