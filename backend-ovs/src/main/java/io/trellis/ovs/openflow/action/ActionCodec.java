package io.trellis.ovs.openflow.action;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.match.MatchCodec;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire form of action lists: OpenFlow 1.5.1 section 7.2.6 for the standard actions, OVS
 * {@code include/openflow/nicira-ext.h} and {@code lib/ofp-actions.c} for the Nicira ones
 * (experimenter 0x00002320). Every action is a TLV of a multiple of 8 bytes; actions this codec
 * does not model decode to {@link Action.Unknown} and re-encode to the same bytes.
 *
 * <p>The encodings follow what OVS 3.1 itself sends for the same action so that bytes compare
 * equal with {@code ovs-ofctl}: e.g. resubmit is always NXAST_RESUBMIT_TABLE, reg_move is
 * OFPAT_COPY_FIELD in OpenFlow 1.5 and NXAST_REG_MOVE in 1.3.
 */
public final class ActionCodec {

    static final int OFPAT_OUTPUT = 0;
    static final int OFPAT_GROUP = 22;
    static final int OFPAT_DEC_NW_TTL = 24;
    static final int OFPAT_SET_FIELD = 25;
    static final int OFPAT_COPY_FIELD = 28;
    static final int OFPAT_EXPERIMENTER = 0xffff;

    /** Nicira's experimenter id. */
    static final int NX_VENDOR_ID = 0x00002320;

    static final int NXAST_RESUBMIT = 1;
    static final int NXAST_REG_MOVE = 6;
    static final int NXAST_REG_LOAD = 7;
    static final int NXAST_NOTE = 8;
    static final int NXAST_RESUBMIT_TABLE = 14;
    static final int NXAST_LEARN = 16;
    static final int NXAST_DEC_TTL = 18;
    static final int NXAST_CONTROLLER = 20;
    static final int NXAST_REG_LOAD2 = 33;
    static final int NXAST_CONJUNCTION = 34;
    static final int NXAST_CT = 35;
    static final int NXAST_NAT = 36;
    static final int NXAST_CONTROLLER2 = 37;
    static final int NXAST_CT_CLEAR = 43;

    // nx_action_conntrack.flags
    static final int NX_CT_F_COMMIT = 1;
    static final int NX_CT_F_FORCE = 2;
    // nx_action_nat.flags and range_present
    static final int NX_NAT_F_SRC = 1;
    static final int NX_NAT_F_DST = 2;
    static final int NX_NAT_F_PERSISTENT = 4;
    static final int NX_NAT_F_PROTO_HASH = 8;
    static final int NX_NAT_F_PROTO_RANDOM = 16;
    static final int NX_NAT_RANGE_IPV4_MIN = 1;
    static final int NX_NAT_RANGE_IPV4_MAX = 2;
    static final int NX_NAT_RANGE_IPV6_MIN = 4;
    static final int NX_NAT_RANGE_IPV6_MAX = 8;
    static final int NX_NAT_RANGE_PROTO_MIN = 16;
    static final int NX_NAT_RANGE_PROTO_MAX = 32;
    // NXAST_CONTROLLER2 property types
    static final int NXAC2PT_MAX_LEN = 0;
    static final int NXAC2PT_CONTROLLER_ID = 1;
    static final int NXAC2PT_REASON = 2;
    static final int NXAC2PT_USERDATA = 3;
    static final int NXAC2PT_PAUSE = 4;
    // learn flow_mod_spec header bits
    static final int NX_LEARN_N_BITS_MASK = 0x3ff;
    static final int NX_LEARN_SRC_IMMEDIATE = 1 << 13;
    static final int NX_LEARN_DST_MASK = 3 << 11;
    static final int NX_LEARN_DST_MATCH = 0;
    static final int NX_LEARN_DST_LOAD = 1 << 11;
    static final int NX_LEARN_DST_OUTPUT = 2 << 11;

    private ActionCodec() {
    }

    /** Writes the actions back to back (each already a multiple of 8 bytes). */
    public static void encode(List<Action> actions, ByteBuf out, OfVersion v) {
        for (Action a : actions) {
            encodeOne(a, out, v);
        }
    }

    /** Reads {@code length} bytes of actions. */
    public static List<Action> decode(ByteBuf in, int length, OfVersion v) {
        if (length < 0 || length > in.readableBytes()) {
            throw new OfCodecException("actions: length " + length + " but " + in.readableBytes() + " bytes available");
        }
        List<Action> actions = new ArrayList<>();
        int end = in.readerIndex() + length;
        while (in.readerIndex() < end) {
            actions.add(decodeOne(in, end - in.readerIndex(), v));
        }
        return actions;
    }

    // ------------------------------------------------------------------ encoding

    private static void encodeOne(Action a, ByteBuf out, OfVersion v) {
        int start = out.writerIndex();
        if (a instanceof Action.Output o) {
            out.writeShort(OFPAT_OUTPUT).writeShort(16).writeInt((int) o.port()).writeShort(o.maxLen()).writeZero(6);
        } else if (a instanceof Action.Group g) {
            out.writeShort(OFPAT_GROUP).writeShort(8).writeInt((int) g.groupId());
        } else if (a instanceof Action.DecTtl) {
            out.writeShort(OFPAT_DEC_NW_TTL).writeShort(8).writeZero(4);
        } else if (a instanceof Action.SetField sf) {
            encodeSetField(sf.field(), out, v);
        } else if (a instanceof Action.Move m) {
            encodeMove(m, out, v);
        } else if (a instanceof Action.Resubmit r) {
            nxHeader(out, NXAST_RESUBMIT_TABLE);
            out.writeShort(r.inPort() == null ? Action.Resubmit.IN_PORT_WIRE : r.inPort());
            out.writeByte(r.table() == null ? 0xff : r.table());
            out.writeZero(3);
        } else if (a instanceof Action.Ct ct) {
            encodeCt(ct, out, v);
        } else if (a instanceof Action.Nat nat) {
            encodeNat(nat, out);
        } else if (a instanceof Action.CtClear) {
            nxHeader(out, NXAST_CT_CLEAR);
            out.writeZero(6);
        } else if (a instanceof Action.Conjunction c) {
            nxHeader(out, NXAST_CONJUNCTION);
            out.writeByte(c.clause() - 1).writeByte(c.nClauses()).writeInt((int) c.id());
        } else if (a instanceof Action.Learn l) {
            encodeLearn(l, out);
        } else if (a instanceof Action.Controller c) {
            encodeController(c, out);
        } else if (a instanceof Action.Note n) {
            nxHeader(out, NXAST_NOTE);
            out.writeBytes(n.note());
        } else if (a instanceof Action.Unknown u) {
            out.writeShort(u.type()).writeShort(0).writeBytes(u.body());
        } else {
            throw new OfCodecException("action " + a + ": no encoding");
        }
        finish(out, start, a);
    }

    /** Pads the action at {@code start} to a multiple of 8 and fills in its length. */
    private static void finish(ByteBuf out, int start, Object what) {
        int len = out.writerIndex() - start;
        int padded = (len + 7) / 8 * 8;
        out.writeZero(padded - len);
        if (padded > 0xffff) {
            throw new OfCodecException("action " + what + ": length " + padded + " exceeds 65535");
        }
        out.setShort(start + 2, padded);
    }

    /** type=experimenter, length placeholder, Nicira vendor id, subtype. */
    private static void nxHeader(ByteBuf out, int subtype) {
        out.writeShort(OFPAT_EXPERIMENTER).writeShort(0).writeInt(NX_VENDOR_ID).writeShort(subtype);
    }

    private static void encodeSetField(MatchField f, ByteBuf out, OfVersion v) {
        if (!f.hasMask() || v == OfVersion.OF15) {
            out.writeShort(OFPAT_SET_FIELD).writeShort(0);
            MatchCodec.encodeField(f, out);
            return;
        }
        // OpenFlow 1.3 has no masked set-field. OVS sends NXAST_REG_LOAD for a contiguous mask.
        BigInteger mask = new BigInteger(1, f.mask());
        int ofs = mask.getLowestSetBit();
        int nBits = mask.bitLength() - ofs;
        boolean contiguous = ofs >= 0 && mask.shiftRight(ofs).bitCount() == nBits;
        if (contiguous && nBits <= 64 && !OxmFields.isExperimenter(f.field())) {
            nxHeader(out, NXAST_REG_LOAD);
            out.writeShort((ofs << 6) | (nBits - 1));
            MatchCodec.writeHeader(f.field(), out);
            out.writeLong(new BigInteger(1, f.value()).shiftRight(ofs).longValue());
        } else {
            // The OXM sits right after the subtype (where ext_action_header's pad would be).
            nxHeader(out, NXAST_REG_LOAD2);
            MatchCodec.encodeField(f, out);
        }
    }

    private static void encodeMove(Action.Move m, ByteBuf out, OfVersion v) {
        if (v == OfVersion.OF15) {
            out.writeShort(OFPAT_COPY_FIELD).writeShort(0);
            out.writeShort(m.src().nBits()).writeShort(m.src().ofs()).writeShort(m.dst().ofs()).writeZero(2);
            MatchCodec.writeHeader(m.src().field(), out);
            MatchCodec.writeHeader(m.dst().field(), out);
        } else {
            nxHeader(out, NXAST_REG_MOVE);
            out.writeShort(m.src().nBits()).writeShort(m.src().ofs()).writeShort(m.dst().ofs());
            MatchCodec.writeHeader(m.src().field(), out);
            MatchCodec.writeHeader(m.dst().field(), out);
        }
    }

    private static void encodeCt(Action.Ct ct, ByteBuf out, OfVersion v) {
        nxHeader(out, NXAST_CT);
        out.writeShort((ct.commit() ? NX_CT_F_COMMIT : 0) | (ct.force() ? NX_CT_F_FORCE : 0));
        if (ct.zoneSrc() != null) {
            MatchCodec.writeHeader(ct.zoneSrc().field(), out);
            out.writeShort(ofsNbits(ct.zoneSrc()));
        } else {
            out.writeInt(0);
            out.writeShort(ct.zone());
        }
        out.writeByte(ct.recircTable()).writeZero(3).writeShort(ct.alg());
        if (ct.nat() != null) {
            encodeOne(ct.nat(), out, v);
        }
        encode(ct.exec(), out, v);
    }

    private static void encodeNat(Action.Nat nat, ByteBuf out) {
        nxHeader(out, NXAST_NAT);
        out.writeZero(2);
        int flags = switch (nat.type()) {
            case SRC -> NX_NAT_F_SRC;
            case DST -> NX_NAT_F_DST;
            case NONE -> 0;
        };
        flags |= (nat.persistent() ? NX_NAT_F_PERSISTENT : 0) | (nat.hash() ? NX_NAT_F_PROTO_HASH : 0)
                | (nat.random() ? NX_NAT_F_PROTO_RANDOM : 0);
        byte[] min = nat.addrMin();
        byte[] max = nat.addrMax();
        int present = 0;
        if (min != null) {
            present |= min.length == 4 ? NX_NAT_RANGE_IPV4_MIN : NX_NAT_RANGE_IPV6_MIN;
        }
        if (max != null) {
            present |= max.length == 4 ? NX_NAT_RANGE_IPV4_MAX : NX_NAT_RANGE_IPV6_MAX;
        }
        if (nat.portMin() != 0) {
            present |= NX_NAT_RANGE_PROTO_MIN;
        }
        if (nat.portMax() != 0) {
            present |= NX_NAT_RANGE_PROTO_MAX;
        }
        out.writeShort(flags).writeShort(present);
        if (min != null) {
            out.writeBytes(min);
        }
        if (max != null) {
            out.writeBytes(max);
        }
        if (nat.portMin() != 0) {
            out.writeShort(nat.portMin());
        }
        if (nat.portMax() != 0) {
            out.writeShort(nat.portMax());
        }
    }

    private static void encodeLearn(Action.Learn l, ByteBuf out) {
        nxHeader(out, NXAST_LEARN);
        out.writeShort(l.idleTimeout()).writeShort(l.hardTimeout()).writeShort(l.priority()).writeLong(l.cookie());
        out.writeShort(l.flags()).writeByte(l.table()).writeZero(1);
        out.writeShort(l.finIdleTimeout()).writeShort(l.finHardTimeout());
        for (LearnSpec spec : l.specs()) {
            if (spec instanceof LearnSpec.MatchFromField s) {
                out.writeShort(NX_LEARN_DST_MATCH | s.nBits());
                writeSubfield(s.src(), out);
                writeSubfield(s.dst(), out);
            } else if (spec instanceof LearnSpec.MatchImmediate s) {
                out.writeShort(NX_LEARN_SRC_IMMEDIATE | NX_LEARN_DST_MATCH | s.nBits());
                out.writeBytes(s.value());
                writeSubfield(s.dst(), out);
            } else if (spec instanceof LearnSpec.LoadFromField s) {
                out.writeShort(NX_LEARN_DST_LOAD | s.nBits());
                writeSubfield(s.src(), out);
                writeSubfield(s.dst(), out);
            } else if (spec instanceof LearnSpec.LoadImmediate s) {
                out.writeShort(NX_LEARN_SRC_IMMEDIATE | NX_LEARN_DST_LOAD | s.nBits());
                out.writeBytes(s.value());
                writeSubfield(s.dst(), out);
            } else if (spec instanceof LearnSpec.OutputFromField s) {
                out.writeShort(NX_LEARN_DST_OUTPUT | s.nBits());
                writeSubfield(s.src(), out);
            }
        }
        // The spec list ends at the end of the action; the zero padding reads as an end marker.
    }

    private static void writeSubfield(Subfield s, ByteBuf out) {
        MatchCodec.writeHeader(s.field(), out);
        out.writeShort(s.ofs());
    }

    private static void encodeController(Action.Controller c, ByteBuf out) {
        byte[] userdata = c.userdata();
        if (userdata.length == 0 && !c.pause()) {
            nxHeader(out, NXAST_CONTROLLER);
            out.writeShort(c.maxLen()).writeShort(c.controllerId()).writeByte(c.reason()).writeZero(1);
            return;
        }
        nxHeader(out, NXAST_CONTROLLER2);
        out.writeZero(6);
        // Properties in the order OVS writes them, each padded to 8 bytes; defaults are omitted.
        if (c.maxLen() != Action.Output.NO_BUFFER) {
            // OVS's ofpprop_put_u16 declares length 8: the value and 2 zero bytes
            out.writeShort(NXAC2PT_MAX_LEN).writeShort(8).writeShort(c.maxLen()).writeZero(2);
        }
        if (c.controllerId() != 0) {
            out.writeShort(NXAC2PT_CONTROLLER_ID).writeShort(8).writeShort(c.controllerId()).writeZero(2);
        }
        if (c.reason() != Action.Controller.REASON_ACTION) {
            out.writeShort(NXAC2PT_REASON).writeShort(5).writeByte(c.reason()).writeZero(3);
        }
        if (userdata.length > 0) {
            out.writeShort(NXAC2PT_USERDATA).writeShort(4 + userdata.length).writeBytes(userdata);
            out.writeZero((8 - (4 + userdata.length) % 8) % 8);
        }
        if (c.pause()) {
            out.writeShort(NXAC2PT_PAUSE).writeShort(4).writeZero(4);
        }
    }

    static int ofsNbits(Subfield s) {
        return (s.ofs() << 6) | (s.nBits() - 1);
    }

    // ------------------------------------------------------------------ decoding

    private static Action decodeOne(ByteBuf in, int available, OfVersion v) {
        int start = in.readerIndex();
        if (available < 8) {
            throw new OfCodecException("action at offset " + start + ": truncated, " + available
                    + " bytes left, need at least 8");
        }
        int type = in.getUnsignedShort(start);
        int len = in.getUnsignedShort(start + 2);
        if (len < 8 || len % 8 != 0 || len > available) {
            throw new OfCodecException(String.format("action type 0x%04x at offset %d: length %d invalid"
                    + " (must be a multiple of 8, at least 8, at most the %d bytes left)", type, start, len, available));
        }
        ByteBuf a = in.readSlice(len);
        a.skipBytes(4);
        try {
            Action decoded = switch (type) {
                case OFPAT_OUTPUT -> {
                    expectLength("OFPAT_OUTPUT", len, 16);
                    yield new Action.Output(a.readUnsignedInt(), a.readUnsignedShort());
                }
                case OFPAT_GROUP -> {
                    expectLength("OFPAT_GROUP", len, 8);
                    yield new Action.Group(a.readUnsignedInt());
                }
                case OFPAT_DEC_NW_TTL -> {
                    expectLength("OFPAT_DEC_NW_TTL", len, 8);
                    yield new Action.DecTtl();
                }
                case OFPAT_SET_FIELD -> new Action.SetField(decodeSetFieldTlv("OFPAT_SET_FIELD", a));
                case OFPAT_COPY_FIELD -> decodeCopyField(a, len);
                case OFPAT_EXPERIMENTER -> decodeExperimenter(a, len, type, v);
                default -> null;
            };
            if (decoded == null) {
                decoded = unknown(in, start, len);
            }
            return decoded;
        } catch (IllegalArgumentException e) {
            throw new OfCodecException(String.format("action type 0x%04x at offset %d: %s", type, start, e.getMessage()), e);
        } catch (IndexOutOfBoundsException e) {
            throw new OfCodecException(String.format("action type 0x%04x at offset %d: body truncated (length %d)",
                    type, start, len), e);
        }
    }

    private static Action.Unknown unknown(ByteBuf in, int start, int len) {
        byte[] body = new byte[len - 4];
        in.getBytes(start + 4, body);
        return new Action.Unknown(in.getUnsignedShort(start), body);
    }

    private static void expectLength(String what, int len, int expected) {
        if (len != expected) {
            throw new OfCodecException(what + ": length " + len + ", expected " + expected);
        }
    }

    private static void expectMinLength(String what, int len, int min) {
        if (len < min) {
            throw new OfCodecException(what + ": length " + len + ", expected at least " + min);
        }
    }

    /** An OXM TLV followed by zero padding up to the end of the action. */
    private static MatchField decodeSetFieldTlv(String what, ByteBuf a) {
        MatchField f = MatchCodec.decodeField(a, a.readableBytes());
        checkZeroPadding(what + " " + f.field().name(), a);
        return f;
    }

    private static void checkZeroPadding(String what, ByteBuf a) {
        int rest = a.readableBytes();
        if (rest >= 8) {
            throw new OfCodecException(what + ": " + rest + " bytes after the field, padding is at most 7");
        }
        for (int i = 0; i < rest; i++) {
            if (a.readByte() != 0) {
                throw new OfCodecException(what + ": non-zero padding");
            }
        }
    }

    private static Action decodeCopyField(ByteBuf a, int len) {
        expectLength("OFPAT_COPY_FIELD", len, 24);
        int nBits = a.readUnsignedShort();
        int srcOfs = a.readUnsignedShort();
        int dstOfs = a.readUnsignedShort();
        a.skipBytes(2);
        OxmField src = MatchCodec.readHeader(a, "OFPAT_COPY_FIELD.src");
        OxmField dst = MatchCodec.readHeader(a, "OFPAT_COPY_FIELD.dst");
        return new Action.Move(new Subfield(src, srcOfs, nBits), new Subfield(dst, dstOfs, nBits));
    }

    private static Action decodeExperimenter(ByteBuf a, int len, int type, OfVersion v) {
        long vendor = a.readUnsignedInt();
        if (vendor != NX_VENDOR_ID) {
            return null;
        }
        int subtype = a.readUnsignedShort();
        return switch (subtype) {
            case NXAST_RESUBMIT -> {
                expectLength("NXAST_RESUBMIT", len, 16);
                int port = a.readUnsignedShort();
                yield new Action.Resubmit(port == Action.Resubmit.IN_PORT_WIRE ? null : port, null);
            }
            case NXAST_RESUBMIT_TABLE -> {
                expectLength("NXAST_RESUBMIT_TABLE", len, 16);
                int port = a.readUnsignedShort();
                int table = a.readUnsignedByte();
                yield new Action.Resubmit(port == Action.Resubmit.IN_PORT_WIRE ? null : port,
                        table == 0xff ? null : table);
            }
            case NXAST_REG_MOVE -> {
                expectLength("NXAST_REG_MOVE", len, 24);
                int nBits = a.readUnsignedShort();
                int srcOfs = a.readUnsignedShort();
                int dstOfs = a.readUnsignedShort();
                OxmField src = MatchCodec.readHeader(a, "NXAST_REG_MOVE.src");
                OxmField dst = MatchCodec.readHeader(a, "NXAST_REG_MOVE.dst");
                yield new Action.Move(new Subfield(src, srcOfs, nBits), new Subfield(dst, dstOfs, nBits));
            }
            case NXAST_REG_LOAD -> decodeRegLoad(a, len);
            case NXAST_REG_LOAD2 -> {
                expectMinLength("NXAST_REG_LOAD2", len, 16);
                yield new Action.SetField(decodeSetFieldTlv("NXAST_REG_LOAD2", a));
            }
            case NXAST_NOTE -> {
                byte[] note = new byte[a.readableBytes()];
                a.readBytes(note);
                yield new Action.Note(note);
            }
            case NXAST_DEC_TTL -> {
                expectLength("NXAST_DEC_TTL", len, 16);
                yield new Action.DecTtl();
            }
            case NXAST_CONJUNCTION -> {
                expectLength("NXAST_CONJUNCTION", len, 16);
                int clause = a.readUnsignedByte();
                int nClauses = a.readUnsignedByte();
                long id = a.readUnsignedInt();
                if (clause >= nClauses) {
                    throw new OfCodecException("NXAST_CONJUNCTION: clause " + clause + " (0-based) not below n_clauses "
                            + nClauses);
                }
                yield new Action.Conjunction(id, clause + 1, nClauses);
            }
            case NXAST_CT -> decodeCt(a, len, v);
            case NXAST_NAT -> decodeNat(a, len);
            case NXAST_CT_CLEAR -> {
                expectLength("NXAST_CT_CLEAR", len, 16);
                yield new Action.CtClear();
            }
            case NXAST_LEARN -> decodeLearn(a, len);
            case NXAST_CONTROLLER -> {
                expectLength("NXAST_CONTROLLER", len, 16);
                int maxLen = a.readUnsignedShort();
                int id = a.readUnsignedShort();
                int reason = a.readUnsignedByte();
                yield new Action.Controller(maxLen, id, reason, new byte[0], false);
            }
            case NXAST_CONTROLLER2 -> decodeController2(a, len);
            default -> null;
        };
    }

    private static Action decodeRegLoad(ByteBuf a, int len) {
        expectLength("NXAST_REG_LOAD", len, 24);
        int ofsNbits = a.readUnsignedShort();
        OxmField dst = MatchCodec.readHeader(a, "NXAST_REG_LOAD.dst");
        long value = a.readLong();
        int ofs = ofsNbits >>> 6;
        int nBits = (ofsNbits & 0x3f) + 1;
        int width = dst.length() * 8;
        if (ofs + nBits > width) {
            throw new OfCodecException("NXAST_REG_LOAD: bits [" + ofs + ".." + (ofs + nBits - 1) + "] outside the "
                    + width + " bits of " + dst.name());
        }
        BigInteger ones = BigInteger.ONE.shiftLeft(nBits).subtract(BigInteger.ONE);
        BigInteger v = new BigInteger(1, longBytes(value));
        if (v.bitLength() > nBits) {
            throw new OfCodecException("NXAST_REG_LOAD: value 0x" + Long.toHexString(value) + " wider than " + nBits
                    + " bits for " + dst.name());
        }
        byte[] valueBytes = fixed(v.shiftLeft(ofs), dst.length());
        byte[] maskBytes = fixed(ones.shiftLeft(ofs), dst.length());
        return new Action.SetField(nBits == width ? MatchField.exact(dst, valueBytes)
                : new MatchField(dst, valueBytes, maskBytes));
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    private static byte[] fixed(BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        byte[] b = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, b, length - copy, copy);
        return b;
    }

    private static Action decodeCt(ByteBuf a, int len, OfVersion v) {
        expectMinLength("NXAST_CT", len, 24);
        int flags = a.readUnsignedShort();
        if ((flags & ~(NX_CT_F_COMMIT | NX_CT_F_FORCE)) != 0) {
            return null; // a newer flag this library does not model: keep the action verbatim
        }
        long zoneHeader = a.getUnsignedInt(a.readerIndex());
        Subfield zoneSrc = null;
        int zone = 0;
        if (zoneHeader == 0) {
            a.skipBytes(4);
            zone = a.readUnsignedShort();
        } else {
            OxmField f = MatchCodec.readHeader(a, "NXAST_CT.zone_src");
            int ofsNbits = a.readUnsignedShort();
            zoneSrc = new Subfield(f, ofsNbits >>> 6, (ofsNbits & 0x3f) + 1);
        }
        int recirc = a.readUnsignedByte();
        a.skipBytes(3);
        int alg = a.readUnsignedShort();
        List<Action> nested = decode(a, a.readableBytes(), v);
        Action.Nat nat = null;
        if (!nested.isEmpty() && nested.get(0) instanceof Action.Nat n) {
            nat = n;
            nested = nested.subList(1, nested.size());
        }
        return new Action.Ct((flags & NX_CT_F_COMMIT) != 0, (flags & NX_CT_F_FORCE) != 0, zoneSrc, zone, recirc, alg,
                nat, nested);
    }

    private static Action decodeNat(ByteBuf a, int len) {
        expectMinLength("NXAST_NAT", len, 16);
        a.skipBytes(2);
        int flags = a.readUnsignedShort();
        int present = a.readUnsignedShort();
        int known = NX_NAT_F_SRC | NX_NAT_F_DST | NX_NAT_F_PERSISTENT | NX_NAT_F_PROTO_HASH | NX_NAT_F_PROTO_RANDOM;
        if ((flags & ~known) != 0 || (present & ~0x3f) != 0) {
            return null; // newer flags or range kinds: keep the action verbatim
        }
        boolean src = (flags & NX_NAT_F_SRC) != 0;
        boolean dst = (flags & NX_NAT_F_DST) != 0;
        if (src && dst) {
            throw new OfCodecException("NXAST_NAT.flags: both src and dst set");
        }
        byte[] min = null;
        byte[] max = null;
        if ((present & NX_NAT_RANGE_IPV4_MIN) != 0) {
            min = read(a, 4);
        }
        if ((present & NX_NAT_RANGE_IPV4_MAX) != 0) {
            max = read(a, 4);
        }
        if ((present & NX_NAT_RANGE_IPV6_MIN) != 0) {
            if (min != null) {
                throw new OfCodecException("NXAST_NAT.range_present: both IPv4 and IPv6 ranges");
            }
            min = read(a, 16);
        }
        if ((present & NX_NAT_RANGE_IPV6_MAX) != 0) {
            if (max != null) {
                throw new OfCodecException("NXAST_NAT.range_present: both IPv4 and IPv6 ranges");
            }
            max = read(a, 16);
        }
        int portMin = (present & NX_NAT_RANGE_PROTO_MIN) != 0 ? a.readUnsignedShort() : 0;
        int portMax = (present & NX_NAT_RANGE_PROTO_MAX) != 0 ? a.readUnsignedShort() : 0;
        checkZeroPadding("NXAST_NAT", a);
        Action.Nat.NatType t = src ? Action.Nat.NatType.SRC : dst ? Action.Nat.NatType.DST : Action.Nat.NatType.NONE;
        return new Action.Nat(t, min, max, portMin, portMax, (flags & NX_NAT_F_PERSISTENT) != 0,
                (flags & NX_NAT_F_PROTO_HASH) != 0, (flags & NX_NAT_F_PROTO_RANDOM) != 0);
    }

    private static byte[] read(ByteBuf a, int n) {
        byte[] b = new byte[n];
        a.readBytes(b);
        return b;
    }

    private static Action decodeLearn(ByteBuf a, int len) {
        expectMinLength("NXAST_LEARN", len, 32);
        int idle = a.readUnsignedShort();
        int hard = a.readUnsignedShort();
        int priority = a.readUnsignedShort();
        long cookie = a.readLong();
        int flags = a.readUnsignedShort();
        int table = a.readUnsignedByte();
        a.skipBytes(1);
        int finIdle = a.readUnsignedShort();
        int finHard = a.readUnsignedShort();
        List<LearnSpec> specs = new ArrayList<>();
        while (a.readableBytes() >= 2) {
            int header = a.readUnsignedShort();
            if (header == 0) {
                break;
            }
            int nBits = header & NX_LEARN_N_BITS_MASK;
            boolean immediate = (header & NX_LEARN_SRC_IMMEDIATE) != 0;
            int dstType = header & NX_LEARN_DST_MASK;
            String where = "NXAST_LEARN spec " + specs.size() + String.format(" (header 0x%04x)", header);
            if ((header & 0xc400) != 0 || dstType == (3 << 11) || nBits == 0) {
                throw new OfCodecException(where + ": invalid spec header");
            }
            if (dstType == NX_LEARN_DST_OUTPUT && immediate) {
                throw new OfCodecException(where + ": output spec with an immediate source");
            }
            Subfield src = null;
            byte[] value = null;
            if (immediate) {
                value = read(a, LearnSpec.immediateLength(nBits));
            } else {
                src = readSubfield(a, nBits, where + " src");
            }
            LearnSpec spec;
            if (dstType == NX_LEARN_DST_OUTPUT) {
                spec = new LearnSpec.OutputFromField(src);
            } else {
                Subfield dst = readSubfield(a, nBits, where + " dst");
                if (dstType == NX_LEARN_DST_MATCH) {
                    spec = immediate ? new LearnSpec.MatchImmediate(value, dst) : new LearnSpec.MatchFromField(src, dst);
                } else {
                    spec = immediate ? new LearnSpec.LoadImmediate(value, dst) : new LearnSpec.LoadFromField(src, dst);
                }
            }
            specs.add(spec);
        }
        while (a.isReadable()) {
            if (a.readByte() != 0) {
                throw new OfCodecException("NXAST_LEARN: non-zero bytes after the end of the specs");
            }
        }
        return new Action.Learn(table, idle, hard, priority, cookie, flags, finIdle, finHard, specs);
    }

    private static Subfield readSubfield(ByteBuf a, int nBits, String where) {
        OxmField f = MatchCodec.readHeader(a, where);
        int ofs = a.readUnsignedShort();
        try {
            return new Subfield(f, ofs, nBits);
        } catch (IllegalArgumentException e) {
            throw new OfCodecException(where + ": " + e.getMessage(), e);
        }
    }

    private static Action decodeController2(ByteBuf a, int len) {
        expectMinLength("NXAST_CONTROLLER2", len, 16);
        a.skipBytes(6);
        int maxLen = Action.Output.NO_BUFFER;
        int id = 0;
        int reason = Action.Controller.REASON_ACTION;
        byte[] userdata = new byte[0];
        boolean pause = false;
        while (a.isReadable()) {
            if (a.readableBytes() < 4) {
                throw new OfCodecException("NXAST_CONTROLLER2: truncated property header");
            }
            int ptype = a.readUnsignedShort();
            int plen = a.readUnsignedShort();
            int padded = (plen + 7) / 8 * 8;
            if (plen < 4 || padded - 4 > a.readableBytes()) {
                throw new OfCodecException("NXAST_CONTROLLER2 property type " + ptype + ": length " + plen
                        + " invalid (" + (a.readableBytes() + 4) + " bytes left)");
            }
            ByteBuf p = a.readSlice(plen - 4);
            a.skipBytes(padded - plen);
            switch (ptype) {
                case NXAC2PT_MAX_LEN -> maxLen = propU16(p, "max_len");
                case NXAC2PT_CONTROLLER_ID -> id = propU16(p, "controller_id");
                case NXAC2PT_REASON -> {
                    if (p.readableBytes() != 1) {
                        throw new OfCodecException("NXAST_CONTROLLER2 reason: length " + (p.readableBytes() + 4) + ", expected 5");
                    }
                    reason = p.readUnsignedByte();
                }
                case NXAC2PT_USERDATA -> userdata = read(p, p.readableBytes());
                case NXAC2PT_PAUSE -> pause = true;
                default -> {
                    // e.g. NXAC2PT_METER_ID: not modelled, keep the whole action verbatim
                    return null;
                }
            }
        }
        return new Action.Controller(maxLen, id, reason, userdata, pause);
    }

    /** A 16-bit property: OVS declares length 8 (value plus 2 zero bytes); 6 is accepted too. */
    private static int propU16(ByteBuf p, String what) {
        if (p.readableBytes() != 2 && p.readableBytes() != 4) {
            throw new OfCodecException("NXAST_CONTROLLER2 " + what + ": length " + (p.readableBytes() + 4)
                    + ", expected 8 (or 6)");
        }
        return p.readUnsignedShort();
    }
}
