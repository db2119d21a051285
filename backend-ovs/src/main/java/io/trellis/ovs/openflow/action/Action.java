package io.trellis.ovs.openflow.action;

import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.Subfield;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One OpenFlow action, standard (OpenFlow 1.5.1 section 7.2.6) or Nicira extension (OVS
 * {@code include/openflow/nicira-ext.h}, {@code lib/ofp-actions.c}). All implementations are
 * immutable records; see {@link ActionCodec} for the wire forms.
 */
public sealed interface Action
        permits Action.Output, Action.Group, Action.SetField, Action.Move, Action.Resubmit,
        Action.DecTtl, Action.Ct, Action.Nat, Action.CtClear, Action.Conjunction, Action.Learn,
        Action.Controller, Action.Note, Action.Unknown {

    /** "drop": an empty action list (OVS prints {@code actions=drop}). */
    List<Action> DROP = List.of();

    /** Drop the packet: an empty action list. */
    static List<Action> drop() {
        return DROP;
    }

    /**
     * OFPAT_OUTPUT. {@code maxLen} matters only for {@link #CONTROLLER} (bytes of the packet sent
     * in the packet-in; {@link #NO_BUFFER} = whole packet).
     */
    record Output(long port, int maxLen) implements Action {
        public static final long MAX = 0xffffff00L;
        public static final long IN_PORT = 0xfffffff8L;
        public static final long TABLE = 0xfffffff9L;
        public static final long NORMAL = 0xfffffffaL;
        public static final long FLOOD = 0xfffffffbL;
        public static final long ALL = 0xfffffffcL;
        public static final long CONTROLLER = 0xfffffffdL;
        public static final long LOCAL = 0xfffffffeL;
        public static final long ANY = 0xffffffffL;
        /** max_len meaning "send the whole packet, do not buffer" (OFPCML_NO_BUFFER). */
        public static final int NO_BUFFER = 0xffff;

        public Output {
            if (port < 0 || port > 0xffffffffL) {
                throw new IllegalArgumentException("output: port " + port + " out of range 0..0xffffffff");
            }
            if (maxLen < 0 || maxLen > 0xffff) {
                throw new IllegalArgumentException("output: max_len " + maxLen + " out of range 0..65535");
            }
        }

        /** Output to a port; max_len 0 except for CONTROLLER, where it is NO_BUFFER (whole packet). */
        public static Output to(long port) {
            return new Output(port, port == CONTROLLER ? NO_BUFFER : 0);
        }
    }

    /** OFPAT_GROUP. */
    record Group(long groupId) implements Action {
        public Group {
            if (groupId < 0 || groupId > 0xffffff00L) {
                throw new IllegalArgumentException("group: id " + groupId + " out of range 0..0xffffff00");
            }
        }
    }

    /**
     * Sets a field (or, with a mask, some of its bits). OpenFlow 1.5: OFPAT_SET_FIELD, masked when
     * needed. OpenFlow 1.3 (no masked set-field): OFPAT_SET_FIELD if unmasked; with a mask of one
     * contiguous run of bits NXAST_REG_LOAD, as OVS does ({@code load:0x5->NXM_NX_REG1[8..15]});
     * with any other mask NXAST_REG_LOAD2. NXAST_REG_LOAD / NXAST_REG_LOAD2 decode to this record.
     */
    record SetField(MatchField field) implements Action {
        public SetField {
            Objects.requireNonNull(field, "field");
        }

        /**
         * The set_field for the single field a one-field match describes, e.g.
         * {@code SetField.of(Match.builder().tunIpv4Dst("10.251.0.2"))} or
         * {@code SetField.of(Match.builder().reg(0, 0x10000, 0x10000))}: the builder's typed
         * setters and validation serve both matches and set_field.
         */
        public static SetField of(Match.Builder oneField) {
            List<MatchField> fields = oneField.build().fields();
            if (fields.size() != 1) {
                throw new IllegalArgumentException("set_field needs exactly one field, got " + fields.size());
            }
            return new SetField(fields.get(0));
        }

        /** {@code set_field:VALUE->regN}. */
        public static SetField reg(int index, long value) {
            return of(Match.builder().reg(index, value));
        }

        /** {@code set_field:VALUE/MASK->regN}: only the mask bits change. */
        public static SetField reg(int index, long value, long mask) {
            return of(Match.builder().reg(index, value, mask));
        }

        /** {@code set_field:A.B.C.D->tun_dst}: outer destination of the tunnel the packet leaves by. */
        public static SetField tunDst(String ipv4) {
            return of(Match.builder().tunIpv4Dst(ipv4));
        }

        /** {@code set_field:ID->tun_id}. */
        public static SetField tunnelId(long id) {
            return of(Match.builder().tunnelId(id));
        }

        /** {@code set_field:MARK->ct_mark}, for {@link Ct} exec. */
        public static SetField ctMark(long mark) {
            return of(Match.builder().ctMark(mark));
        }

        /** {@code set_field:MARK/MASK->ct_mark}, for {@link Ct} exec. */
        public static SetField ctMark(long mark, long mask) {
            return of(Match.builder().ctMark(mark, mask));
        }

        /** {@code set_field:LABEL/MASK->ct_label}, for {@link Ct} exec. */
        public static SetField ctLabel(java.math.BigInteger label, java.math.BigInteger mask) {
            return of(Match.builder().ctLabel(label, mask));
        }

        /** {@code set_field:MAC->eth_dst}. */
        public static SetField ethDst(String mac) {
            return of(Match.builder().ethDst(mac));
        }

        /** {@code set_field:MAC->eth_src}. */
        public static SetField ethSrc(String mac) {
            return of(Match.builder().ethSrc(mac));
        }
    }

    /** NXAST_REG_MOVE ({@code move:NXM_NX_REG0[0..15]->NXM_NX_CT_ZONE[]}): copies bits between fields. */
    record Move(Subfield src, Subfield dst) implements Action {
        public Move {
            Objects.requireNonNull(src, "src");
            Objects.requireNonNull(dst, "dst");
            if (src.nBits() != dst.nBits()) {
                throw new IllegalArgumentException("move: source has " + src.nBits() + " bits, destination "
                        + dst.nBits());
            }
        }
    }

    /**
     * Nicira resubmit: look the packet up again in {@code table} (null: the current table) as if it
     * came in on {@code inPort} (null: its actual in_port). Encoded as NXAST_RESUBMIT when table is
     * null, else NXAST_RESUBMIT_TABLE (table 255 also means "current table" there).
     */
    record Resubmit(Integer inPort, Integer table) implements Action {
        public Resubmit {
            if (inPort != null && (inPort < 0 || inPort > 0xffff || inPort == Resubmit.IN_PORT_WIRE)) {
                throw new IllegalArgumentException("resubmit: in_port " + inPort + " out of range 0..65527 (16-bit port)");
            }
            if (table != null && (table < 0 || table > 255)) {
                throw new IllegalArgumentException("resubmit: table " + table + " out of range 0..255");
            }
        }

        /** OFPP_IN_PORT in 16-bit port numbering: "the packet's own in_port". */
        public static final int IN_PORT_WIRE = 0xfff8;

        public static Resubmit toTable(int table) {
            return new Resubmit(null, table);
        }
    }

    /** OFPAT_DEC_NW_TTL (OVS {@code dec_ttl}). */
    record DecTtl() implements Action {
    }

    /**
     * NXAST_CT: send the packet through connection tracking.
     *
     * @param commit      commit the connection
     * @param force       {@code force}: commit even if the connection exists in the other direction
     * @param zoneSrc     take the zone from this field, or null to use {@code zone}
     * @param zone        immediate zone 0..65535 (ignored when {@code zoneSrc} is set, must be 0 then)
     * @param recircTable resubmit the packet to this table after conntrack, or {@link #NO_RECIRC}
     * @param alg         well-known port of the ALG (21 ftp, 69 tftp), 0 for none
     * @param nat         NAT to apply, or null
     * @param exec        actions run when committing: set_field of ct_mark / ct_label
     */
    record Ct(boolean commit, boolean force, Subfield zoneSrc, int zone, int recircTable, int alg, Nat nat,
              List<Action> exec) implements Action {
        public static final int NO_RECIRC = 0xff;

        public Ct {
            exec = List.copyOf(Objects.requireNonNull(exec, "exec"));
            if (zone < 0 || zone > 0xffff) {
                throw new IllegalArgumentException("ct: zone " + zone + " out of range 0..65535");
            }
            if (zoneSrc != null && zone != 0) {
                throw new IllegalArgumentException("ct: both zone source " + zoneSrc + " and immediate zone " + zone);
            }
            if (recircTable < 0 || recircTable > 255) {
                throw new IllegalArgumentException("ct: table " + recircTable + " out of range 0..255");
            }
            if (alg < 0 || alg > 0xffff) {
                throw new IllegalArgumentException("ct: alg " + alg + " out of range 0..65535");
            }
        }

        /** {@code ct(table=T,zone=Z)}. */
        public static Ct lookup(int zone, int recircTable) {
            return new Ct(false, false, null, zone, recircTable, 0, null, List.of());
        }

        /** {@code ct(commit,zone=Z)}. */
        public static Ct commit(int zone) {
            return new Ct(true, false, null, zone, NO_RECIRC, 0, null, List.of());
        }

        public Ct withNat(Nat n) {
            return new Ct(commit, force, zoneSrc, zone, recircTable, alg, n, exec);
        }

        public Ct withExec(List<Action> actions) {
            return new Ct(commit, force, zoneSrc, zone, recircTable, alg, nat, actions);
        }
    }

    /**
     * NXAST_NAT, valid inside {@link Ct}. With {@code type} NONE it means "apply the NAT already set
     * up for this connection" ({@code ct(nat)}).
     *
     * @param type      SRC, DST or NONE
     * @param addrMin   first address of the range (4 or 16 bytes) or null
     * @param addrMax   last address (same family as addrMin) or null for a single address
     * @param portMin   first port or 0 for none
     * @param portMax   last port or 0 for a single port
     */
    record Nat(NatType type, byte[] addrMin, byte[] addrMax, int portMin, int portMax, boolean persistent,
               boolean hash, boolean random) implements Action {
        public enum NatType { NONE, SRC, DST }

        public Nat {
            Objects.requireNonNull(type, "type");
            addrMin = addrMin == null ? null : addrMin.clone();
            addrMax = addrMax == null ? null : addrMax.clone();
            if (addrMin != null && addrMin.length != 4 && addrMin.length != 16) {
                throw new IllegalArgumentException("nat: address must be 4 or 16 bytes, got " + addrMin.length);
            }
            if (addrMax != null && (addrMin == null || addrMax.length != addrMin.length)) {
                throw new IllegalArgumentException("nat: address range end without a start of the same family");
            }
            if (portMin < 0 || portMin > 0xffff || portMax < 0 || portMax > 0xffff) {
                throw new IllegalArgumentException("nat: ports " + portMin + "-" + portMax + " out of range 0..65535");
            }
            if (portMax != 0 && portMin == 0) {
                throw new IllegalArgumentException("nat: port range end " + portMax + " without a start");
            }
            if (hash && random) {
                throw new IllegalArgumentException("nat: hash and random are exclusive");
            }
            if (type == NatType.NONE && (addrMin != null || portMin != 0 || persistent || hash || random)) {
                throw new IllegalArgumentException("nat: range or flags given without src or dst");
            }
        }

        /** {@code nat}: apply the connection's existing NAT. */
        public static Nat existing() {
            return new Nat(NatType.NONE, null, null, 0, 0, false, false, false);
        }

        /** {@code nat(dst=ADDR)} or with a port, {@code nat(dst=ADDR:PORT)} (port 0: none). */
        public static Nat dst(java.net.InetAddress address, int port) {
            return new Nat(NatType.DST, address.getAddress(), null, port, 0, false, false, false);
        }

        /** {@code nat(src=ADDR)} or with a port. */
        public static Nat src(java.net.InetAddress address, int port) {
            return new Nat(NatType.SRC, address.getAddress(), null, port, 0, false, false, false);
        }

        @Override
        public byte[] addrMin() {
            return addrMin == null ? null : addrMin.clone();
        }

        @Override
        public byte[] addrMax() {
            return addrMax == null ? null : addrMax.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Nat n && type == n.type && Arrays.equals(addrMin, n.addrMin)
                    && Arrays.equals(addrMax, n.addrMax) && portMin == n.portMin && portMax == n.portMax
                    && persistent == n.persistent && hash == n.hash && random == n.random;
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, Arrays.hashCode(addrMin), Arrays.hashCode(addrMax), portMin, portMax,
                    persistent, hash, random);
        }

        @Override
        public String toString() {
            HexFormat hex = HexFormat.of();
            return "Nat[" + type + ", addr=" + (addrMin == null ? "-" : hex.formatHex(addrMin))
                    + (addrMax == null ? "" : "-" + hex.formatHex(addrMax)) + ", ports=" + portMin + "-" + portMax
                    + (persistent ? ", persistent" : "") + (hash ? ", hash" : "") + (random ? ", random" : "") + "]";
        }
    }

    /** NXAST_CT_CLEAR ({@code ct_clear}). */
    record CtClear() implements Action {
    }

    /**
     * NXAST_CONJUNCTION, {@code conjunction(id,clause/nClauses)}; {@code clause} is 1-based as in the
     * text form (the wire carries clause-1).
     */
    record Conjunction(long id, int clause, int nClauses) implements Action {
        public Conjunction {
            if (id < 0 || id > 0xffffffffL) {
                throw new IllegalArgumentException("conjunction: id " + id + " out of range 0..0xffffffff");
            }
            if (nClauses < 2 || nClauses > 64) {
                throw new IllegalArgumentException("conjunction: n_clauses " + nClauses + " out of range 2..64");
            }
            if (clause < 1 || clause > nClauses) {
                throw new IllegalArgumentException("conjunction: clause " + clause + " out of range 1.." + nClauses);
            }
        }
    }

    /**
     * NXAST_LEARN: adds or refreshes a flow in {@code table} built from the current packet.
     * Flags: {@link #SEND_FLOW_REM}, {@link #DELETE_LEARNED}, {@link #WRITE_RESULT}.
     */
    record Learn(int table, int idleTimeout, int hardTimeout, int priority, long cookie, int flags,
                 int finIdleTimeout, int finHardTimeout, List<LearnSpec> specs) implements Action {
        public static final int SEND_FLOW_REM = 1;
        public static final int DELETE_LEARNED = 2;
        public static final int WRITE_RESULT = 4;
        public static final int DEFAULT_PRIORITY = 0x8000;

        public Learn {
            specs = List.copyOf(Objects.requireNonNull(specs, "specs"));
            check("table", table, 0xff);
            check("idle_timeout", idleTimeout, 0xffff);
            check("hard_timeout", hardTimeout, 0xffff);
            check("priority", priority, 0xffff);
            check("flags", flags, 0xffff);
            check("fin_idle_timeout", finIdleTimeout, 0xffff);
            check("fin_hard_timeout", finHardTimeout, 0xffff);
        }

        private static void check(String what, int v, int max) {
            if (v < 0 || v > max) {
                throw new IllegalArgumentException("learn: " + what + " " + v + " out of range 0.." + max);
            }
        }
    }

    /**
     * NXAST_CONTROLLER / NXAST_CONTROLLER2: send the packet to the controller(s) with
     * {@code controllerId} (0: all), as a packet-in with {@code reason} (1 = OFPR_ACTION) and
     * {@code userdata}; {@code pause} freezes the pipeline until the controller resumes it
     * (NXT_RESUME). Encoded as NXAST_CONTROLLER2 when there is userdata or pause, else as
     * NXAST_CONTROLLER. (A plain {@code CONTROLLER:65535} is {@link Output} to {@link Output#CONTROLLER}.)
     */
    record Controller(int maxLen, int controllerId, int reason, byte[] userdata, boolean pause) implements Action {
        /** OFPR_ACTION (OF1.3) / OFPR_APPLY_ACTION (OF1.5). */
        public static final int REASON_ACTION = 1;

        public Controller {
            userdata = userdata == null ? new byte[0] : userdata.clone();
            if (maxLen < 0 || maxLen > 0xffff) {
                throw new IllegalArgumentException("controller: max_len " + maxLen + " out of range 0..65535");
            }
            if (controllerId < 0 || controllerId > 0xffff) {
                throw new IllegalArgumentException("controller: id " + controllerId + " out of range 0..65535");
            }
            if (reason < 0 || reason > 0xff) {
                throw new IllegalArgumentException("controller: reason " + reason + " out of range 0..255");
            }
        }

        /** Whole packet, reason action, all controllers, with userdata, optionally pausing. */
        public static Controller withUserdata(byte[] userdata, boolean pause) {
            return new Controller(Output.NO_BUFFER, 0, REASON_ACTION, userdata, pause);
        }

        @Override
        public byte[] userdata() {
            return userdata.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Controller c && maxLen == c.maxLen && controllerId == c.controllerId
                    && reason == c.reason && Arrays.equals(userdata, c.userdata) && pause == c.pause;
        }

        @Override
        public int hashCode() {
            return Objects.hash(maxLen, controllerId, reason, Arrays.hashCode(userdata), pause);
        }

        @Override
        public String toString() {
            return "Controller[maxLen=" + maxLen + ", controllerId=" + controllerId + ", reason=" + reason
                    + ", userdata=" + HexFormat.of().formatHex(userdata) + ", pause=" + pause + "]";
        }
    }

    /**
     * NXAST_NOTE: opaque bytes, ignored by the switch. The wire pads the note with zeros to a
     * multiple of 8 bytes (6 + 8k note bytes need no padding); a decoded note includes that padding.
     */
    record Note(byte[] note) implements Action {
        public Note {
            note = Objects.requireNonNull(note, "note").clone();
        }

        @Override
        public byte[] note() {
            return note.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Note n && Arrays.equals(note, n.note);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(note);
        }

        @Override
        public String toString() {
            return "Note[" + HexFormat.of().formatHex(note) + "]";
        }
    }

    /**
     * An action this library does not model, kept verbatim: {@code type} is the OpenFlow action type
     * (0xffff for experimenter actions) and {@code body} every byte after the 4-byte type/length
     * header (for experimenter actions starting with the experimenter id and, for Nicira, the subtype).
     */
    record Unknown(int type, byte[] body) implements Action {
        public Unknown {
            body = Objects.requireNonNull(body, "body").clone();
            if (type < 0 || type > 0xffff) {
                throw new IllegalArgumentException("unknown action: type " + type + " out of range");
            }
            if ((body.length + 4) % 8 != 0 || body.length + 4 > 0xffff) {
                throw new IllegalArgumentException("unknown action type " + type + ": length " + (body.length + 4)
                        + " is not a multiple of 8");
            }
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && type == u.type && Arrays.equals(body, u.body);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            return "Unknown[type=0x" + Integer.toHexString(type) + ", body=" + HexFormat.of().formatHex(body) + "]";
        }
    }
}
