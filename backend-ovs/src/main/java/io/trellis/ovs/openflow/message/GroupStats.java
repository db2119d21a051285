package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One entry of an OFPMP_GROUP reply, struct ofp_group_stats (section 7.3.5.9). */
public record GroupStats(int groupId, long refCount, long packetCount, long byteCount, long durationSec,
        long durationNsec, List<BucketCounter> bucketStats) {

    /** struct ofp_bucket_counter. */
    public record BucketCounter(long packetCount, long byteCount) {
    }

    public GroupStats {
        Check.u32("refCount", refCount);
        Check.u32("durationSec", durationSec);
        Check.u32("durationNsec", durationNsec);
        bucketStats = List.copyOf(requireNonNull(bucketStats, "bucketStats"));
    }
}
