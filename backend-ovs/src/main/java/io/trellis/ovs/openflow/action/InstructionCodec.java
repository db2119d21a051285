package io.trellis.ovs.openflow.action;

import io.netty.buffer.ByteBuf;
import io.trellis.ovs.openflow.OfCodecException;
import io.trellis.ovs.openflow.OfVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire form of instruction lists (OpenFlow 1.5.1 section 7.2.5). Each instruction is a TLV of a
 * multiple of 8 bytes; unmodelled types decode to {@link Instruction.Unknown}.
 */
public final class InstructionCodec {

    static final int OFPIT_GOTO_TABLE = 1;
    static final int OFPIT_WRITE_METADATA = 2;
    static final int OFPIT_WRITE_ACTIONS = 3;
    static final int OFPIT_APPLY_ACTIONS = 4;
    static final int OFPIT_CLEAR_ACTIONS = 5;
    static final int OFPIT_METER = 6;

    private InstructionCodec() {
    }

    public static void encode(List<Instruction> instructions, ByteBuf out, OfVersion v) {
        for (Instruction i : instructions) {
            int start = out.writerIndex();
            if (i instanceof Instruction.GotoTable g) {
                out.writeShort(OFPIT_GOTO_TABLE).writeShort(8).writeByte(g.table()).writeZero(3);
            } else if (i instanceof Instruction.WriteMetadata w) {
                out.writeShort(OFPIT_WRITE_METADATA).writeShort(24).writeZero(4).writeLong(w.value()).writeLong(w.mask());
            } else if (i instanceof Instruction.WriteActions w) {
                out.writeShort(OFPIT_WRITE_ACTIONS).writeShort(0).writeZero(4);
                ActionCodec.encode(w.actions(), out, v);
            } else if (i instanceof Instruction.ApplyActions a) {
                out.writeShort(OFPIT_APPLY_ACTIONS).writeShort(0).writeZero(4);
                ActionCodec.encode(a.actions(), out, v);
            } else if (i instanceof Instruction.ClearActions) {
                out.writeShort(OFPIT_CLEAR_ACTIONS).writeShort(8).writeZero(4);
            } else if (i instanceof Instruction.Meter m) {
                out.writeShort(OFPIT_METER).writeShort(8).writeInt((int) m.meterId());
            } else if (i instanceof Instruction.Unknown u) {
                out.writeShort(u.type()).writeShort(0).writeBytes(u.body());
            }
            int len = out.writerIndex() - start;
            if (len > 0xffff) {
                throw new OfCodecException("instruction " + i.getClass().getSimpleName() + ": length " + len
                        + " exceeds 65535");
            }
            out.setShort(start + 2, len);
        }
    }

    public static List<Instruction> decode(ByteBuf in, int length, OfVersion v) {
        if (length < 0 || length > in.readableBytes()) {
            throw new OfCodecException("instructions: length " + length + " but " + in.readableBytes()
                    + " bytes available");
        }
        List<Instruction> result = new ArrayList<>();
        int end = in.readerIndex() + length;
        while (in.readerIndex() < end) {
            int start = in.readerIndex();
            int available = end - start;
            if (available < 8) {
                throw new OfCodecException("instruction at offset " + start + ": truncated, " + available
                        + " bytes left, need at least 8");
            }
            int type = in.getUnsignedShort(start);
            int len = in.getUnsignedShort(start + 2);
            if (len < 8 || len % 8 != 0 || len > available) {
                throw new OfCodecException(String.format("instruction type %d at offset %d: length %d invalid"
                        + " (must be a multiple of 8, at least 8, at most the %d bytes left)", type, start, len, available));
            }
            ByteBuf b = in.readSlice(len);
            b.skipBytes(4);
            result.add(switch (type) {
                case OFPIT_GOTO_TABLE -> {
                    expect("OFPIT_GOTO_TABLE", len, 8);
                    int table = b.readUnsignedByte();
                    if (table == 255) {
                        throw new OfCodecException("OFPIT_GOTO_TABLE: table 255 is not a valid table");
                    }
                    yield new Instruction.GotoTable(table);
                }
                case OFPIT_WRITE_METADATA -> {
                    expect("OFPIT_WRITE_METADATA", len, 24);
                    b.skipBytes(4);
                    yield new Instruction.WriteMetadata(b.readLong(), b.readLong());
                }
                case OFPIT_WRITE_ACTIONS -> {
                    b.skipBytes(4);
                    yield new Instruction.WriteActions(ActionCodec.decode(b, b.readableBytes(), v));
                }
                case OFPIT_APPLY_ACTIONS -> {
                    b.skipBytes(4);
                    yield new Instruction.ApplyActions(ActionCodec.decode(b, b.readableBytes(), v));
                }
                case OFPIT_CLEAR_ACTIONS -> {
                    expect("OFPIT_CLEAR_ACTIONS", len, 8);
                    yield new Instruction.ClearActions();
                }
                case OFPIT_METER -> {
                    expect("OFPIT_METER", len, 8);
                    yield new Instruction.Meter(b.readUnsignedInt());
                }
                default -> {
                    byte[] body = new byte[len - 4];
                    b.readBytes(body);
                    yield new Instruction.Unknown(type, body);
                }
            });
        }
        return result;
    }

    private static void expect(String what, int len, int expected) {
        if (len != expected) {
            throw new OfCodecException(what + ": length " + len + ", expected " + expected);
        }
    }
}
