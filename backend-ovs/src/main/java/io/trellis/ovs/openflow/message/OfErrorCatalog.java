package io.trellis.ovs.openflow.message;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Names and short meanings of OpenFlow error type/code pairs: the standard ones of OpenFlow 1.5.1
 * section 7.5.4.1 (which 1.3 shares up to the codes it defines), OVS's Nicira experimenter errors
 * (NX_VENDOR_ID 0x00002320, exp_code as in OVS ofp-errors.h "NX1.2+(n)") and the ONF codes OVS
 * uses with OpenFlow 1.3 (ONF_VENDOR_ID 0x4f4e4600, e.g. bundle failures).
 */
public final class OfErrorCatalog {

    public static final int EXPERIMENTER_TYPE = 0xffff;
    public static final int NX_VENDOR_ID = 0x00002320;
    public static final int ONF_VENDOR_ID = 0x4f4e4600;

    /** Error name (e.g. OFPBAC_BAD_OUT_GROUP) and what it means. */
    public record Entry(String name, String description) {
    }

    private static final String[] TYPE_NAMES = {
        "OFPET_HELLO_FAILED", "OFPET_BAD_REQUEST", "OFPET_BAD_ACTION", "OFPET_BAD_INSTRUCTION",
        "OFPET_BAD_MATCH", "OFPET_FLOW_MOD_FAILED", "OFPET_GROUP_MOD_FAILED", "OFPET_PORT_MOD_FAILED",
        "OFPET_TABLE_MOD_FAILED", "OFPET_QUEUE_OP_FAILED", "OFPET_SWITCH_CONFIG_FAILED",
        "OFPET_ROLE_REQUEST_FAILED", "OFPET_METER_MOD_FAILED", "OFPET_TABLE_FEATURES_FAILED",
        "OFPET_BAD_PROPERTY", "OFPET_ASYNC_CONFIG_FAILED", "OFPET_FLOW_MONITOR_FAILED", "OFPET_BUNDLE_FAILED",
    };

    private final Map<Integer, Entry> standard = new HashMap<>();
    private final Map<Integer, Entry> nicira = new HashMap<>();
    private final Map<Integer, Entry> onf = new HashMap<>();

    private static final OfErrorCatalog INSTANCE = new OfErrorCatalog();

    public static OfErrorCatalog instance() {
        return INSTANCE;
    }

    private OfErrorCatalog() {
        std(0, 0, "OFPHFC_INCOMPATIBLE", "no common OpenFlow version");
        std(0, 1, "OFPHFC_EPERM", "permissions error");

        std(1, 0, "OFPBRC_BAD_VERSION", "ofp_header.version not supported");
        std(1, 1, "OFPBRC_BAD_TYPE", "ofp_header.type not supported");
        std(1, 2, "OFPBRC_BAD_MULTIPART", "multipart type not supported");
        std(1, 3, "OFPBRC_BAD_EXPERIMENTER", "experimenter id not supported");
        std(1, 4, "OFPBRC_BAD_EXP_TYPE", "experimenter type not supported");
        std(1, 5, "OFPBRC_EPERM", "permissions error");
        std(1, 6, "OFPBRC_BAD_LEN", "wrong request length for type");
        std(1, 7, "OFPBRC_BUFFER_EMPTY", "buffer already used");
        std(1, 8, "OFPBRC_BUFFER_UNKNOWN", "buffer does not exist");
        std(1, 9, "OFPBRC_BAD_TABLE_ID", "table id invalid or missing");
        std(1, 10, "OFPBRC_IS_SLAVE", "denied because controller is slave");
        std(1, 11, "OFPBRC_BAD_PORT", "invalid port");
        std(1, 12, "OFPBRC_BAD_PACKET", "invalid packet in packet-out");
        std(1, 13, "OFPBRC_MULTIPART_BUFFER_OVERFLOW", "multipart request overflowed its buffer");
        std(1, 14, "OFPBRC_MULTIPART_REQUEST_TIMEOUT", "timeout during multipart request");
        std(1, 15, "OFPBRC_MULTIPART_REPLY_TIMEOUT", "timeout during multipart reply");
        std(1, 16, "OFPBRC_MULTIPART_BAD_SCHED", "switch cannot honour the multipart schedule");
        std(1, 17, "OFPBRC_PIPELINE_FIELDS_ONLY", "match may only contain pipeline fields");
        std(1, 18, "OFPBRC_UNKNOWN", "unspecified error");

        std(2, 0, "OFPBAC_BAD_TYPE", "unknown action type");
        std(2, 1, "OFPBAC_BAD_LEN", "length problem in actions");
        std(2, 2, "OFPBAC_BAD_EXPERIMENTER", "unknown experimenter id in action");
        std(2, 3, "OFPBAC_BAD_EXP_TYPE", "unknown action type for experimenter id");
        std(2, 4, "OFPBAC_BAD_OUT_PORT", "bad output port");
        std(2, 5, "OFPBAC_BAD_ARGUMENT", "bad action argument");
        std(2, 6, "OFPBAC_EPERM", "permissions error");
        std(2, 7, "OFPBAC_TOO_MANY", "too many actions");
        std(2, 8, "OFPBAC_BAD_QUEUE", "bad output queue");
        std(2, 9, "OFPBAC_BAD_OUT_GROUP", "bad group in group action (missing or invalid group id)");
        std(2, 10, "OFPBAC_MATCH_INCONSISTENT", "action does not fit the match or a field prerequisite is unmet");
        std(2, 11, "OFPBAC_UNSUPPORTED_ORDER", "action order unsupported in apply-actions");
        std(2, 12, "OFPBAC_BAD_TAG", "unsupported tag or encapsulation");
        std(2, 13, "OFPBAC_BAD_SET_TYPE", "set-field/load of an unknown or unsupported field");
        std(2, 14, "OFPBAC_BAD_SET_LEN", "set-field/load length problem (past the field end or zero)");
        std(2, 15, "OFPBAC_BAD_SET_ARGUMENT", "set-field value invalid, or the field is read-only");
        std(2, 16, "OFPBAC_BAD_SET_MASK", "set-field has a mask where none is allowed");
        std(2, 17, "OFPBAC_BAD_METER", "invalid meter id");

        std(3, 0, "OFPBIC_UNKNOWN_INST", "unknown instruction");
        std(3, 1, "OFPBIC_UNSUP_INST", "instruction not supported by switch or table");
        std(3, 2, "OFPBIC_BAD_TABLE_ID", "invalid table id in goto-table");
        std(3, 3, "OFPBIC_UNSUP_METADATA", "metadata value unsupported");
        std(3, 4, "OFPBIC_UNSUP_METADATA_MASK", "metadata mask unsupported");
        std(3, 5, "OFPBIC_BAD_EXPERIMENTER", "unknown experimenter id in instruction");
        std(3, 6, "OFPBIC_BAD_EXP_TYPE", "unknown instruction for experimenter id");
        std(3, 7, "OFPBIC_BAD_LEN", "length problem in instructions");
        std(3, 8, "OFPBIC_EPERM", "permissions error");
        std(3, 9, "OFPBIC_DUP_INST", "duplicate instruction");

        std(4, 0, "OFPBMC_BAD_TYPE", "unsupported match type");
        std(4, 1, "OFPBMC_BAD_LEN", "length problem in match");
        std(4, 2, "OFPBMC_BAD_TAG", "unsupported tag or encapsulation in match");
        std(4, 3, "OFPBMC_BAD_DL_ADDR_MASK", "unsupported Ethernet address mask");
        std(4, 4, "OFPBMC_BAD_NW_ADDR_MASK", "unsupported network address mask");
        std(4, 5, "OFPBMC_BAD_WILDCARDS", "unsupported wildcards");
        std(4, 6, "OFPBMC_BAD_FIELD", "unsupported field in match");
        std(4, 7, "OFPBMC_BAD_VALUE", "unsupported value in a match field");
        std(4, 8, "OFPBMC_BAD_MASK", "unsupported mask in a match field");
        std(4, 9, "OFPBMC_BAD_PREREQ", "match field prerequisite not met");
        std(4, 10, "OFPBMC_DUP_FIELD", "match field duplicated");
        std(4, 11, "OFPBMC_EPERM", "permissions error");

        std(5, 0, "OFPFMFC_UNKNOWN", "unspecified flow-mod error");
        std(5, 1, "OFPFMFC_TABLE_FULL", "table full");
        std(5, 2, "OFPFMFC_BAD_TABLE_ID", "table does not exist");
        std(5, 3, "OFPFMFC_OVERLAP", "overlapping flow with CHECK_OVERLAP set");
        std(5, 4, "OFPFMFC_EPERM", "permissions error");
        std(5, 5, "OFPFMFC_BAD_TIMEOUT", "unsupported idle/hard timeout");
        std(5, 6, "OFPFMFC_BAD_COMMAND", "unsupported or unknown flow-mod command");
        std(5, 7, "OFPFMFC_BAD_FLAGS", "unsupported or unknown flow-mod flags");
        std(5, 8, "OFPFMFC_CANT_SYNC", "cannot keep synchronised flow tables in sync");
        std(5, 9, "OFPFMFC_BAD_PRIORITY", "unsupported priority");
        std(5, 10, "OFPFMFC_IS_SYNC", "synchronised flow table is read-only");

        std(6, 0, "OFPGMFC_GROUP_EXISTS", "group already exists");
        std(6, 1, "OFPGMFC_INVALID_GROUP", "invalid group id");
        std(6, 2, "OFPGMFC_WEIGHT_UNSUPPORTED", "unequal select weights unsupported");
        std(6, 3, "OFPGMFC_OUT_OF_GROUPS", "group table full");
        std(6, 4, "OFPGMFC_OUT_OF_BUCKETS", "too many buckets");
        std(6, 5, "OFPGMFC_CHAINING_UNSUPPORTED", "groups forwarding to groups unsupported");
        std(6, 6, "OFPGMFC_WATCH_UNSUPPORTED", "cannot watch the given port or group");
        std(6, 7, "OFPGMFC_LOOP", "group would cause a loop");
        std(6, 8, "OFPGMFC_UNKNOWN_GROUP", "group does not exist");
        std(6, 9, "OFPGMFC_CHAINED_GROUP", "another group forwards to this group");
        std(6, 10, "OFPGMFC_BAD_TYPE", "unsupported or unknown group type");
        std(6, 11, "OFPGMFC_BAD_COMMAND", "unsupported or unknown group-mod command");
        std(6, 12, "OFPGMFC_BAD_BUCKET", "error in bucket");
        std(6, 13, "OFPGMFC_BAD_WATCH", "error in watch port/group");
        std(6, 14, "OFPGMFC_EPERM", "permissions error");
        std(6, 15, "OFPGMFC_UNKNOWN_BUCKET", "unknown bucket id in insert/remove bucket");
        std(6, 16, "OFPGMFC_BUCKET_EXISTS", "bucket id already exists");

        std(7, 0, "OFPPMFC_BAD_PORT", "port does not exist");
        std(7, 1, "OFPPMFC_BAD_HW_ADDR", "hardware address does not match the port");
        std(7, 2, "OFPPMFC_BAD_CONFIG", "invalid port config");
        std(7, 3, "OFPPMFC_BAD_ADVERTISE", "invalid advertise");
        std(7, 4, "OFPPMFC_EPERM", "permissions error");

        std(8, 0, "OFPTMFC_BAD_TABLE", "table does not exist");
        std(8, 1, "OFPTMFC_BAD_CONFIG", "invalid table config");
        std(8, 2, "OFPTMFC_EPERM", "permissions error");

        std(9, 0, "OFPQOFC_BAD_PORT", "invalid port");
        std(9, 1, "OFPQOFC_BAD_QUEUE", "queue does not exist");
        std(9, 2, "OFPQOFC_EPERM", "permissions error");

        std(10, 0, "OFPSCFC_BAD_FLAGS", "invalid config flags");
        std(10, 1, "OFPSCFC_BAD_LEN", "invalid miss_send_len");
        std(10, 2, "OFPSCFC_EPERM", "permissions error");

        std(11, 0, "OFPRRFC_STALE", "stale generation id");
        std(11, 1, "OFPRRFC_UNSUP", "role change unsupported");
        std(11, 2, "OFPRRFC_BAD_ROLE", "invalid role");
        std(11, 3, "OFPRRFC_ID_UNSUP", "switch does not support controller ids");
        std(11, 4, "OFPRRFC_ID_IN_USE", "controller id in use");

        std(12, 0, "OFPMMFC_UNKNOWN", "unspecified meter-mod error");
        std(12, 1, "OFPMMFC_METER_EXISTS", "meter already exists");
        std(12, 2, "OFPMMFC_INVALID_METER", "invalid meter");
        std(12, 3, "OFPMMFC_UNKNOWN_METER", "meter does not exist");
        std(12, 4, "OFPMMFC_BAD_COMMAND", "unsupported meter-mod command");
        std(12, 5, "OFPMMFC_BAD_FLAGS", "unsupported meter flags");
        std(12, 6, "OFPMMFC_BAD_RATE", "unsupported rate");
        std(12, 7, "OFPMMFC_BAD_BURST", "unsupported burst size");
        std(12, 8, "OFPMMFC_BAD_BAND", "unsupported band");
        std(12, 9, "OFPMMFC_BAD_BAND_VALUE", "unsupported band value");
        std(12, 10, "OFPMMFC_OUT_OF_METERS", "no more meters");
        std(12, 11, "OFPMMFC_OUT_OF_BANDS", "too many bands");

        std(13, 0, "OFPTFFC_BAD_TABLE", "table does not exist");
        std(13, 1, "OFPTFFC_BAD_METADATA", "invalid metadata mask");
        std(13, 5, "OFPTFFC_EPERM", "permissions error");
        std(13, 6, "OFPTFFC_BAD_CAPA", "invalid capability");
        std(13, 7, "OFPTFFC_BAD_MAX_ENT", "invalid max_entries");
        std(13, 8, "OFPTFFC_BAD_FEATURES", "invalid features");
        std(13, 9, "OFPTFFC_BAD_COMMAND", "invalid command");
        std(13, 10, "OFPTFFC_TOO_MANY", "too many features");

        std(14, 0, "OFPBPC_BAD_TYPE", "unknown property type");
        std(14, 1, "OFPBPC_BAD_LEN", "length problem in property");
        std(14, 2, "OFPBPC_BAD_VALUE", "unsupported property value");
        std(14, 3, "OFPBPC_TOO_MANY", "too many properties");
        std(14, 4, "OFPBPC_DUP_TYPE", "duplicated property type");
        std(14, 5, "OFPBPC_BAD_EXPERIMENTER", "unknown property experimenter id");
        std(14, 6, "OFPBPC_BAD_EXP_TYPE", "unknown property experimenter type");
        std(14, 7, "OFPBPC_BAD_EXP_VALUE", "unknown property experimenter value");
        std(14, 8, "OFPBPC_EPERM", "permissions error");

        std(15, 0, "OFPACFC_INVALID", "invalid async config mask");
        std(15, 1, "OFPACFC_UNSUPPORTED", "async config not supported");
        std(15, 2, "OFPACFC_EPERM", "permissions error");

        std(16, 0, "OFPMOFC_UNKNOWN", "unspecified flow-monitor error");
        std(16, 1, "OFPMOFC_MONITOR_EXISTS", "monitor already exists");
        std(16, 2, "OFPMOFC_INVALID_MONITOR", "invalid monitor");
        std(16, 3, "OFPMOFC_UNKNOWN_MONITOR", "monitor does not exist");
        std(16, 4, "OFPMOFC_BAD_COMMAND", "unsupported monitor command");
        std(16, 5, "OFPMOFC_BAD_FLAGS", "unsupported monitor flags");
        std(16, 6, "OFPMOFC_BAD_TABLE_ID", "monitored table does not exist");
        std(16, 7, "OFPMOFC_BAD_OUT", "error in monitor output port/group");

        String[][] bundle = {
            {"OFPBFC_UNKNOWN", "unspecified bundle error"},
            {"OFPBFC_EPERM", "permissions error"},
            {"OFPBFC_BAD_ID", "bundle id does not exist"},
            {"OFPBFC_BUNDLE_EXIST", "bundle id already exists"},
            {"OFPBFC_BUNDLE_CLOSED", "bundle is closed"},
            {"OFPBFC_OUT_OF_BUNDLES", "too many bundles"},
            {"OFPBFC_BAD_TYPE", "unsupported or unknown bundle control type"},
            {"OFPBFC_BAD_FLAGS", "unsupported, unknown or inconsistent bundle flags"},
            {"OFPBFC_MSG_BAD_LEN", "length problem in bundled message"},
            {"OFPBFC_MSG_BAD_XID", "inconsistent or duplicate xid in bundle"},
            {"OFPBFC_MSG_UNSUP", "message not supported in a bundle"},
            {"OFPBFC_MSG_CONFLICT", "unsupported combination of messages in bundle"},
            {"OFPBFC_MSG_TOO_MANY", "too many messages in bundle"},
            {"OFPBFC_MSG_FAILED", "a message in the bundle failed"},
            {"OFPBFC_TIMEOUT", "bundle took too long"},
            {"OFPBFC_BUNDLE_IN_PROGRESS", "another bundle is locking the resource"},
        };
        for (int code = 0; code < bundle.length; code++) {
            std(17, code, bundle[code][0], bundle[code][1]);
            onf.put(2300 + code, new Entry(bundle[code][0], bundle[code][1]));
        }
        std(17, 16, "OFPBFC_SCHED_NOT_SUPPORTED", "scheduled commit not supported");
        std(17, 17, "OFPBFC_SCHED_FUTURE", "scheduled commit too far in the future");
        std(17, 18, "OFPBFC_SCHED_PAST", "scheduled commit in the past");
        onf.put(2600, new Entry("OFPBIC_DUP_INST", "duplicate instruction"));
        onf.put(4250, new Entry("OFPBAC_BAD_SET_MASK", "set-field has a mask where none is allowed"));
        onf.put(4443, new Entry("OFPBPC_TOO_MANY", "too many properties"));
        onf.put(4444, new Entry("OFPBPC_DUP_TYPE", "duplicated property type"));
        onf.put(4445, new Entry("OFPBPC_BAD_EXPERIMENTER", "unknown property experimenter id"));
        onf.put(4446, new Entry("OFPBPC_BAD_EXP_TYPE", "unknown property experimenter type"));
        onf.put(4447, new Entry("OFPBPC_BAD_EXP_VALUE", "unknown property experimenter value"));
        onf.put(4448, new Entry("OFPBPC_EPERM", "permissions error"));

        nx(2, "NXBRC_NXM_INVALID", "invalid NXM flow match");
        nx(3, "NXBRC_NXM_BAD_TYPE", "NXM field type invalid or not implemented");
        nx(4, "NXBRC_MUST_BE_ZERO", "must-be-zero field is not zero");
        nx(5, "NXBRC_BAD_REASON", "invalid port-status reason");
        nx(6, "OFPMOFC_MONITOR_EXISTS", "monitor already exists");
        nx(7, "OFPMOFC_BAD_FLAGS", "unsupported monitor flags");
        nx(8, "OFPMOFC_UNKNOWN_MONITOR", "monitor does not exist");
        nx(9, "NXBRC_FM_BAD_EVENT", "invalid flow-monitor event");
        nx(10, "NXBRC_UNENCODABLE_ERROR", "the error cannot be expressed in this OpenFlow version");
        nx(11, "NXBAC_MUST_BE_ZERO", "must-be-zero action argument is not zero");
        nx(12, "NXFMFC_HARDWARE", "generic hardware error");
        nx(13, "NXFMFC_BAD_TABLE_ID", "table id in flow-mod command does not exist");
        nx(15, "NXBAC_BAD_CONJUNCTION",
                "bad conjunction: it must be the only kind of action, with 1 <= k <= n and 2 <= n <= 64");
        nx(16, "NXTTMFC_BAD_COMMAND", "bad TLV table-mod command");
        nx(17, "NXTTMFC_BAD_OPT_LEN", "bad TLV option length");
        nx(18, "NXTTMFC_BAD_FIELD_IDX", "TLV field index out of range");
        nx(19, "NXTTMFC_TABLE_FULL", "TLV table full");
        nx(20, "NXTTMFC_ALREADY_MAPPED", "TLV field index already mapped");
        nx(21, "NXTTMFC_DUP_ENTRY", "TLV option already mapped to another field");
        nx(22, "OFPBFC_BAD_VERSION", "bundle add: inner and outer OpenFlow versions differ");
        nx(23, "NXQOFC_QUEUE_ERROR", "system error reading queue details");
        nx(34, "NXR_NOT_SUPPORTED", "datapath does not support NXT_RESUME");
        nx(35, "NXR_STALE", "stale continuation");
        nx(36, "NXST_NOT_CONFIGURED", "protocol not configured on this switch");
        nx(37, "NXFMFC_INVALID_TLV_FIELD", "invalid variable-length (TLV) field in flow");
        nx(39, "NXBAC_BAD_HEADER_TYPE", "unsupported packet type in encap/decap");
        nx(40, "NXBAC_UNKNOWN_ED_PROP", "unknown encap/decap property");
        nx(41, "NXBAC_BAD_ED_PROP", "bad encap/decap property");
        nx(42, "NXBAC_CT_DATAPATH_SUPPORT", "datapath does not support this connection-tracking action");
        nx(43, "NXBMC_CT_DATAPATH_SUPPORT", "datapath does not support this connection-tracking match");
    }

    private void std(int type, int code, String name, String description) {
        standard.put((type << 16) | code, new Entry(name, description));
    }

    private void nx(int expCode, String name, String description) {
        nicira.put(expCode, new Entry(name, description));
    }

    /** The OFPET_* name of an error type. */
    public String typeName(int type) {
        if (type == EXPERIMENTER_TYPE) {
            return "OFPET_EXPERIMENTER";
        }
        return type >= 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : "OFPET type " + type;
    }

    /** A standard error (type != 0xffff). */
    public Optional<Entry> lookup(int type, int code) {
        return Optional.ofNullable(standard.get((type << 16) | code));
    }

    /** An experimenter error (type 0xffff) by vendor id and exp_code. */
    public Optional<Entry> lookupExperimenter(int experimenter, int expCode) {
        if (experimenter == NX_VENDOR_ID) {
            return Optional.ofNullable(nicira.get(expCode));
        }
        if (experimenter == ONF_VENDOR_ID) {
            return Optional.ofNullable(onf.get(expCode));
        }
        return Optional.empty();
    }
}
