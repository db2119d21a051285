package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A multipart reply of a type not decoded here; {@link #entries()} is the one raw body. */
public record UnknownMultipartReply(int xid, int multipartType, int flags, RawBytes body) implements MultipartReply {
    public UnknownMultipartReply {
        Check.u16("multipartType", multipartType);
        Check.u16("flags", flags);
        requireNonNull(body, "body");
    }

    @Override
    public List<RawBytes> entries() {
        return List.of(body);
    }

    @Override
    public UnknownMultipartReply withXid(int xid) {
        return new UnknownMultipartReply(xid, multipartType, flags, body);
    }
}
