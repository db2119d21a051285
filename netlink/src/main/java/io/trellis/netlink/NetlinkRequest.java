package io.trellis.netlink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A request to send: message type, flags (NLM_F_REQUEST is added on send), payload, and a description
 * naming what it does ("RTM_NEWLINK veth0") for error messages.
 */
public record NetlinkRequest(int type, int flags, byte[] payload, String description) {
    public NetlinkRequest {
        Objects.requireNonNull(description, "description");
        if (type < Netlink.NLMSG_MIN_TYPE || type > 0xffff) {
            throw new IllegalArgumentException(description + ": nlmsg_type " + type + " is not a request type");
        }
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public boolean isDump() {
        return (flags & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
    }

    public NetlinkMessage toMessage(int seq) {
        return new NetlinkMessage(type, flags | Netlink.NLM_F_REQUEST, seq, 0, payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkRequest r && r.type == type && r.flags == flags
                && Arrays.equals(r.payload, payload) && r.description.equals(description);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, flags, Arrays.hashCode(payload), description);
    }

    @Override
    public String toString() {
        return "NetlinkRequest[" + description + ", type=" + type + ", flags=0x" + Integer.toHexString(flags) + "]";
    }
}
