package io.trellis.lab.services;

/**
 * The lab's Service address space (what {@code --service-cluster-ip-range} and
 * {@code --service-node-port-range} configure on a real API server). Fixed for every lab: the service CIDR
 * does not overlap the cluster CIDR (10.244.0.0/16) or the underlay (10.250.0.0/24).
 */
public final class LabServiceNetwork {
    /** Cluster IPs come from here (kube-apiserver's usual default). */
    public static final String SERVICE_CIDR = "10.96.0.0/16";
    /**
     * The first address of the CIDR, reserved as on a real cluster (where it is the {@code kubernetes}
     * Service's): never handed out, though a Service may ask for it explicitly.
     */
    public static final String RESERVED_ADDRESS = "10.96.0.1";
    public static final int NODE_PORT_FIRST = 30000;
    public static final int NODE_PORT_LAST = 32767;

    private static final long NETWORK = toLong("10.96.0.0");
    private static final int PREFIX_LENGTH = 16;

    private LabServiceNetwork() {
    }

    /** The first address handed out: after the network address and the reserved first address. */
    static long firstAllocatable() {
        return toLong(RESERVED_ADDRESS) + 1;
    }

    /** The last address handed out: before the broadcast address. */
    static long lastAllocatable() {
        return NETWORK + (1L << (32 - PREFIX_LENGTH)) - 2;
    }

    /** Whether the dotted IPv4 address lies in the service CIDR. */
    public static boolean contains(String address) {
        return (toLong(address) >>> (32 - PREFIX_LENGTH)) == (NETWORK >>> (32 - PREFIX_LENGTH));
    }

    /** Whether the string is a dotted-quad IPv4 address (no name lookup). */
    public static boolean isIpv4(String s) {
        if (s == null || !s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        for (String part : s.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    static long toLong(String address) {
        if (!isIpv4(address)) {
            throw new IllegalArgumentException("'" + address + "' is not an IPv4 address");
        }
        long value = 0;
        for (String part : address.split("\\.")) {
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    static String toDotted(long value) {
        return (value >>> 24 & 0xff) + "." + (value >>> 16 & 0xff) + "." + (value >>> 8 & 0xff) + "." + (value & 0xff);
    }
}
