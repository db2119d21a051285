package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * OFPT_ERROR (OpenFlow 1.5.1 section 7.5.4). For experimenter errors ({@code type == 0xffff},
 * struct ofp_error_experimenter_msg) {@code code} holds exp_code and {@code experimenter} the
 * vendor id (OVS uses NX_VENDOR_ID 0x2320); for standard errors {@code experimenter} is 0.
 * {@code data} holds (the start of) the request that failed.
 */
public record ErrorMessage(int xid, int type, int code, int experimenter, RawBytes data) implements OfMessage {

    public ErrorMessage {
        Check.u16("type", type);
        Check.u16("code", code);
        requireNonNull(data, "data");
        if (type != OfErrorCatalog.EXPERIMENTER_TYPE && experimenter != 0) {
            throw new IllegalArgumentException("experimenter must be 0 for standard error type " + type);
        }
    }

    public static ErrorMessage standard(int xid, int type, int code, RawBytes data) {
        return new ErrorMessage(xid, type, code, 0, data);
    }

    public static ErrorMessage nicira(int xid, int expCode, RawBytes data) {
        return new ErrorMessage(xid, OfErrorCatalog.EXPERIMENTER_TYPE, expCode, OfErrorCatalog.NX_VENDOR_ID, data);
    }

    public boolean isExperimenter() {
        return type == OfErrorCatalog.EXPERIMENTER_TYPE;
    }

    /** The catalog entry of this type/code, if known. */
    public Optional<OfErrorCatalog.Entry> entry() {
        OfErrorCatalog catalog = OfErrorCatalog.instance();
        return isExperimenter() ? catalog.lookupExperimenter(experimenter, code) : catalog.lookup(type, code);
    }

    /** The error's name, e.g. {@code OFPBAC_BAD_OUT_GROUP}, or the numbers when the code is unknown. */
    public String name() {
        return entry().map(OfErrorCatalog.Entry::name).orElseGet(() -> isExperimenter()
                ? "experimenter 0x" + Integer.toHexString(experimenter) + " error " + code
                : OfErrorCatalog.instance().typeName(type) + " code " + code);
    }

    /**
     * Readable form, e.g. {@code OFPBAC_BAD_OUT_GROUP: bad group in group action (missing or
     * invalid group id) [type=2 code=9] in reply to FLOW_MOD xid=0x7 (OF1.5): add table=0
     * priority=100 cookie=0x0}.
     */
    public String text() {
        StringBuilder sb = new StringBuilder(name());
        entry().ifPresent(e -> sb.append(": ").append(e.description()));
        sb.append(" [type=").append(type).append(" code=").append(code);
        if (isExperimenter()) {
            sb.append(" experimenter=0x").append(Integer.toHexString(experimenter));
        }
        sb.append(']');
        if (type == 0 && !data.isEmpty()) {
            // OFPET_HELLO_FAILED carries an ASCII explanation instead of a request.
            sb.append(": ").append(new String(data.toArray(), java.nio.charset.StandardCharsets.US_ASCII).trim());
        } else if (!data.isEmpty()) {
            sb.append(" in reply to ").append(FailedRequest.describe(data));
        }
        return sb.toString();
    }

    @Override
    public ErrorMessage withXid(int xid) {
        return new ErrorMessage(xid, type, code, experimenter, data);
    }

    @Override
    public String toString() {
        return "ErrorMessage[xid=" + xid + ", " + text() + "]";
    }
}
