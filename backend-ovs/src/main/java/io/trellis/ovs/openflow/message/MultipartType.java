package io.trellis.ovs.openflow.message;

/** enum ofp_multipart_type numbers used here (section 7.3.5). */
public final class MultipartType {
    public static final int DESC = 0;
    /** OFPMP_FLOW (1.3) / OFPMP_FLOW_DESC (1.5): OVS answers both with the ofp11_flow_stats layout. */
    public static final int FLOW = 1;
    public static final int AGGREGATE = 2;
    public static final int TABLE = 3;
    public static final int PORT_STATS = 4;
    public static final int QUEUE = 5;
    public static final int GROUP = 6;
    public static final int GROUP_DESC = 7;
    public static final int GROUP_FEATURES = 8;
    public static final int PORT_DESC = 13;

    private MultipartType() {
    }
}
