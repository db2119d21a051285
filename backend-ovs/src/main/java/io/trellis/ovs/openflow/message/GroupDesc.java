package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One group of an OFPMP_GROUP_DESC reply (struct ofp_group_desc; 1.5 adds raw group properties). */
public record GroupDesc(GroupType type, int groupId, List<Bucket> buckets, RawBytes properties) {
    public GroupDesc {
        requireNonNull(type, "type");
        buckets = List.copyOf(requireNonNull(buckets, "buckets"));
        requireNonNull(properties, "properties");
    }
}
