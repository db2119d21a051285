package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

/** A multipart request of a type not decoded here, body kept raw. */
public record UnknownMultipartRequest(int xid, int multipartType, int flags, RawBytes body) implements MultipartRequest {
    public UnknownMultipartRequest {
        Check.u16("multipartType", multipartType);
        Check.u16("flags", flags);
        requireNonNull(body, "body");
    }

    @Override
    public UnknownMultipartRequest withXid(int xid) {
        return new UnknownMultipartRequest(xid, multipartType, flags, body);
    }
}
