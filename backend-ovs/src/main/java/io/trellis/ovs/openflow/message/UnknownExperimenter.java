package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

/**
 * An OFPT_EXPERIMENTER message not decoded here (section 7.5.4), e.g. a Nicira message other than
 * NXT_PACKET_IN2 / NXT_SET_PACKET_IN_FORMAT; the body after {@code experimenter} and
 * {@code expType} is kept raw.
 */
public record UnknownExperimenter(int xid, int experimenter, int expType, RawBytes body) implements OfMessage {
    public UnknownExperimenter {
        requireNonNull(body, "body");
    }

    @Override
    public UnknownExperimenter withXid(int xid) {
        return new UnknownExperimenter(xid, experimenter, expType, body);
    }

    @Override
    public String toString() {
        return "UnknownExperimenter[xid=" + xid + ", experimenter=0x" + Integer.toHexString(experimenter)
                + ", exp_type=" + Integer.toUnsignedString(expType) + ", body=" + body + "]";
    }
}
