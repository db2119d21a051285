package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * OFPT_GROUP_MOD: struct ofp_group_mod in 1.3, struct ofp15_group_mod in 1.5 (section 7.3.4.3),
 * which adds {@code command_bucket_id} and group properties (kept raw; OVS uses them for its
 * selection-method extension).
 */
public record GroupMod(int xid, GroupModCommand command, GroupType type, int groupId, int commandBucketId,
        List<Bucket> buckets, RawBytes properties) implements OfMessage {

    public GroupMod {
        requireNonNull(command, "command");
        requireNonNull(type, "type");
        buckets = List.copyOf(requireNonNull(buckets, "buckets"));
        requireNonNull(properties, "properties");
    }

    public static GroupMod add(int groupId, GroupType type, List<Bucket> buckets) {
        return new GroupMod(0, GroupModCommand.ADD, type, groupId, OfConstants.BUCKET_ALL, buckets, RawBytes.EMPTY);
    }

    public static GroupMod modify(int groupId, GroupType type, List<Bucket> buckets) {
        return new GroupMod(0, GroupModCommand.MODIFY, type, groupId, OfConstants.BUCKET_ALL, buckets, RawBytes.EMPTY);
    }

    /** Deletes one group, or all with {@link OfConstants#GROUP_ALL}. */
    public static GroupMod delete(int groupId) {
        return new GroupMod(0, GroupModCommand.DELETE, GroupType.ALL, groupId, OfConstants.BUCKET_ALL, List.of(),
                RawBytes.EMPTY);
    }

    @Override
    public GroupMod withXid(int xid) {
        return new GroupMod(xid, command, type, groupId, commandBucketId, buckets, properties);
    }
}
