package io.trellis.ovs.openflow.message;

/** Reserved port, group, table and buffer numbers (OpenFlow 1.5.1 sections 7.2.1, 7.3.4). */
public final class OfConstants {
    /** OFPP_IN_PORT. */
    public static final int PORT_IN_PORT = 0xfffffff8;
    /** OFPP_TABLE: submit a packet-out to the flow table. */
    public static final int PORT_TABLE = 0xfffffff9;
    /** OFPP_NORMAL. */
    public static final int PORT_NORMAL = 0xfffffffa;
    /** OFPP_FLOOD. */
    public static final int PORT_FLOOD = 0xfffffffb;
    /** OFPP_ALL. */
    public static final int PORT_ALL = 0xfffffffc;
    /** OFPP_CONTROLLER. */
    public static final int PORT_CONTROLLER = 0xfffffffd;
    /** OFPP_LOCAL. */
    public static final int PORT_LOCAL = 0xfffffffe;
    /** OFPP_ANY: wildcard in requests. */
    public static final int PORT_ANY = 0xffffffff;
    /** OFPG_ALL. */
    public static final int GROUP_ALL = 0xfffffffc;
    /** OFPG_ANY. */
    public static final int GROUP_ANY = 0xffffffff;
    /** OFPTT_ALL. */
    public static final int TABLE_ALL = 0xff;
    /** OFP_NO_BUFFER. */
    public static final int NO_BUFFER = 0xffffffff;
    /** OFPG_BUCKET_FIRST / LAST / ALL (1.5 command_bucket_id). */
    public static final int BUCKET_FIRST = 0xfffffffd;
    public static final int BUCKET_LAST = 0xfffffffe;
    public static final int BUCKET_ALL = 0xffffffff;
    /** OFPCML_NO_BUFFER: send the whole packet to the controller. */
    public static final int CML_NO_BUFFER = 0xffff;

    private OfConstants() {
    }
}
