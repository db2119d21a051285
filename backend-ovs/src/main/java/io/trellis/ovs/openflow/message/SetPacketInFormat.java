package io.trellis.ovs.openflow.message;

/**
 * Nicira NXT_SET_PACKET_IN_FORMAT (nicira-ext.h, struct nx_set_packet_in_format): asks OVS to send
 * packet-ins as {@link #STANDARD} OFPT_PACKET_IN, {@link #NXT_PACKET_IN} or {@link #NXT_PACKET_IN2}.
 */
public record SetPacketInFormat(int xid, int format) implements OfMessage {
    public static final int STANDARD = 0;
    public static final int NXT_PACKET_IN = 1;
    public static final int NXT_PACKET_IN2 = 2;

    @Override
    public SetPacketInFormat withXid(int xid) {
        return new SetPacketInFormat(xid, format);
    }
}
