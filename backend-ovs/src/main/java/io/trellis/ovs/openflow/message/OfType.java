package io.trellis.ovs.openflow.message;

/**
 * {@code ofp_header.type} numbers (OpenFlow 1.5.1 section 7.1, enum ofp_type); the numbering is the
 * same in 1.3 for every type used here.
 */
public final class OfType {
    public static final int HELLO = 0;
    public static final int ERROR = 1;
    public static final int ECHO_REQUEST = 2;
    public static final int ECHO_REPLY = 3;
    public static final int EXPERIMENTER = 4;
    public static final int FEATURES_REQUEST = 5;
    public static final int FEATURES_REPLY = 6;
    public static final int GET_CONFIG_REQUEST = 7;
    public static final int GET_CONFIG_REPLY = 8;
    public static final int SET_CONFIG = 9;
    public static final int PACKET_IN = 10;
    public static final int FLOW_REMOVED = 11;
    public static final int PORT_STATUS = 12;
    public static final int PACKET_OUT = 13;
    public static final int FLOW_MOD = 14;
    public static final int GROUP_MOD = 15;
    public static final int PORT_MOD = 16;
    public static final int TABLE_MOD = 17;
    public static final int MULTIPART_REQUEST = 18;
    public static final int MULTIPART_REPLY = 19;
    public static final int BARRIER_REQUEST = 20;
    public static final int BARRIER_REPLY = 21;
    public static final int ROLE_REQUEST = 24;
    public static final int ROLE_REPLY = 25;
    public static final int GET_ASYNC_REQUEST = 26;
    public static final int GET_ASYNC_REPLY = 27;
    public static final int SET_ASYNC = 28;
    public static final int METER_MOD = 29;
    public static final int ROLE_STATUS = 30;
    public static final int TABLE_STATUS = 31;
    public static final int REQUESTFORWARD = 32;
    public static final int BUNDLE_CONTROL = 33;
    public static final int BUNDLE_ADD_MESSAGE = 34;
    public static final int CONTROLLER_STATUS = 35;

    private static final String[] NAMES = {
        "HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER", "FEATURES_REQUEST",
        "FEATURES_REPLY", "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN",
        "FLOW_REMOVED", "PORT_STATUS", "PACKET_OUT", "FLOW_MOD", "GROUP_MOD", "PORT_MOD", "TABLE_MOD",
        "MULTIPART_REQUEST", "MULTIPART_REPLY", "BARRIER_REQUEST", "BARRIER_REPLY",
        "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY", "ROLE_REQUEST", "ROLE_REPLY",
        "GET_ASYNC_REQUEST", "GET_ASYNC_REPLY", "SET_ASYNC", "METER_MOD", "ROLE_STATUS", "TABLE_STATUS",
        "REQUESTFORWARD", "BUNDLE_CONTROL", "BUNDLE_ADD_MESSAGE", "CONTROLLER_STATUS",
    };

    private OfType() {
    }

    /** The spec name without the OFPT_ prefix, or {@code type N} for numbers it does not define. */
    public static String name(int type) {
        return type >= 0 && type < NAMES.length ? NAMES[type] : "type " + type;
    }
}
