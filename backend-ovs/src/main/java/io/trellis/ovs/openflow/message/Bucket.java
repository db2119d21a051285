package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.action.Action;
import java.util.List;

/**
 * A group bucket. OpenFlow 1.3 (struct ofp_bucket) carries weight, watch_port and watch_group as
 * fields and has no bucket id (decoded buckets get their index, as OVS numbers them); 1.5
 * (struct ofp15_bucket, section 7.3.4.3) carries bucket_id and the others as properties, written
 * the way OVS writes them: weight for select groups, watch port/group when not ANY.
 *
 * @param otherProperties 1.5 bucket properties of other types, raw
 */
public record Bucket(int bucketId, int weight, int watchPort, int watchGroup, List<Action> actions,
        RawBytes otherProperties) {

    public Bucket {
        Check.u16("weight", weight);
        actions = List.copyOf(requireNonNull(actions, "actions"));
        requireNonNull(otherProperties, "otherProperties");
    }

    /** A bucket for select groups. */
    public static Bucket select(int bucketId, int weight, List<Action> actions) {
        return new Bucket(bucketId, weight, OfConstants.PORT_ANY, OfConstants.GROUP_ANY, actions, RawBytes.EMPTY);
    }

    /** A bucket for all / indirect groups. */
    public static Bucket of(int bucketId, List<Action> actions) {
        return new Bucket(bucketId, 0, OfConstants.PORT_ANY, OfConstants.GROUP_ANY, actions, RawBytes.EMPTY);
    }

    /** A bucket for fast-failover groups, live while {@code watchPort} is up. */
    public static Bucket watching(int bucketId, int watchPort, int watchGroup, List<Action> actions) {
        return new Bucket(bucketId, 0, watchPort, watchGroup, actions, RawBytes.EMPTY);
    }
}
