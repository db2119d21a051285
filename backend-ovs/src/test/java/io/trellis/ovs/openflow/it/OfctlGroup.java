package io.trellis.ovs.openflow.it;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code ovs-ofctl -O OpenFlow15 dump-groups}, e.g.
 * {@code group_id=1,type=select,selection_method=hash,bucket=bucket_id:1,weight:10,actions=output:5}.
 *
 * @param properties what follows the type before the first bucket (selection_method, fields(...))
 * @param buckets    each bucket's text after {@code bucket=}, e.g. {@code bucket_id:1,weight:10,actions=output:5}
 */
public record OfctlGroup(long groupId, String type, String properties, List<Bucket> buckets) {

    /** A bucket: its properties ({@code bucket_id:1,weight:10}) and its actions text. */
    public record Bucket(String properties, String actions) {
        public Bucket {
            requireNonNull(properties, "properties");
            requireNonNull(actions, "actions");
        }
    }

    public OfctlGroup {
        requireNonNull(type, "type");
        requireNonNull(properties, "properties");
        buckets = List.copyOf(requireNonNull(buckets, "buckets"));
    }

    public static List<OfctlGroup> parseDump(String dump) {
        List<OfctlGroup> groups = new ArrayList<>();
        for (String line : dump.split("\n")) {
            String l = line.strip();
            if (l.startsWith("group_id=")) {
                groups.add(parse(l));
            }
        }
        return groups;
    }

    public static OfctlGroup parse(String line) {
        String[] parts = line.strip().split(",bucket=");
        String head = parts[0];
        if (!head.startsWith("group_id=")) {
            throw new IllegalArgumentException("not a dump-groups line: " + line);
        }
        int comma = head.indexOf(',');
        long id = Long.parseLong(head.substring("group_id=".length(), comma));
        String rest = head.substring(comma + 1);
        if (!rest.startsWith("type=")) {
            throw new IllegalArgumentException("no type in dump-groups line: " + line);
        }
        int typeEnd = rest.indexOf(',');
        String type = typeEnd < 0 ? rest.substring(5) : rest.substring(5, typeEnd);
        String properties = typeEnd < 0 ? "" : rest.substring(typeEnd + 1);
        List<Bucket> buckets = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String b = parts[i];
            int at = b.indexOf("actions=");
            if (at < 0) {
                throw new IllegalArgumentException("bucket without actions in: " + line);
            }
            String props = b.substring(0, at);
            if (props.endsWith(",")) {
                props = props.substring(0, props.length() - 1);
            }
            buckets.add(new Bucket(props, b.substring(at + "actions=".length())));
        }
        return new OfctlGroup(id, type, properties, buckets);
    }
}
