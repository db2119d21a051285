package io.trellis.iptables.policy;

import io.trellis.spi.policy.Direction;

/**
 * Where the deciding rules are recorded in a connection's conntrack mark: the ingress rule id in
 * bits 20..31 ({@code 0xfff00000}), the egress rule id in bits 8..19 ({@code 0x000fff00}); id 0 means
 * "no rule" (the pod was not isolated in that direction). Both fields are needed because a
 * connection between two isolated pods of this node is allowed by one rule of each. Bits 0..7 are
 * left to other programs, and every write is masked ({@code --set-xmark value/mask}), so bits of
 * others are never changed. The Service proxy uses the packet mark (not the connmark) only.
 *
 * <p>Ids above {@value #MAX_ID} do not fit: such rules are still enforced and their sessions
 * counted, only the packets of their established connections are not.
 */
final class ConnmarkLayout {

    static final int MAX_ID = 0xfff;
    static final long INGRESS_MASK = 0xfff0_0000L;
    static final long EGRESS_MASK = 0x000f_ff00L;

    private ConnmarkLayout() {
    }

    static long mask(Direction direction) {
        return direction == Direction.INGRESS ? INGRESS_MASK : EGRESS_MASK;
    }

    /** Whether an id can be recorded. */
    static boolean fits(int id) {
        return id >= 1 && id <= MAX_ID;
    }

    /** The mark value of {@code id} in {@code direction}'s field. */
    static long value(Direction direction, int id) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("rule id " + id + " does not fit the connmark (0.." + MAX_ID + ")");
        }
        return (long) id << (direction == Direction.INGRESS ? 20 : 8);
    }

    /** {@code value/mask} as iptables prints it: {@code 0x100000/0xfff00000}. */
    static String text(Direction direction, int id) {
        return hex(value(direction, id)) + "/" + hex(mask(direction));
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
