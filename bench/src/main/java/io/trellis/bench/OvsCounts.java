package io.trellis.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmark reads back from {@code ovs-ofctl}: flow and group totals, which group a
 * Service's cluster IP uses and which endpoints a group's buckets send to. Pure parsing of the
 * tool's text output, so it is tested without a switch.
 */
record OvsCounts(long flows, long groups) {
    private static final Pattern FLOW_COUNT = Pattern.compile("\\bflow_count=(\\d+)");
    private static final Pattern GROUP_LINE = Pattern.compile("^\\s*group_id=(\\d+),", Pattern.MULTILINE);
    /** A SERVICE_LB frontend flow: {@code ...,nw_dst=IP,tp_dst=PORT actions=group:N}. */
    private static final Pattern FRONTEND = Pattern.compile(
            "\\bnw_dst=(\\d{1,3}(?:\\.\\d{1,3}){3}),tp_dst=(\\d+)\\b.*\\bactions=group:(\\d+)\\s*$");
    /** A bucket's DNAT target, {@code nat(dst=IP:PORT)}. */
    private static final Pattern NAT_DST = Pattern.compile("\\bnat\\(dst=(\\d{1,3}(?:\\.\\d{1,3}){3}):(\\d+)\\)");

    OvsCounts {
        if (flows < 0 || groups < 0) {
            throw new IllegalArgumentException("negative count: flows=" + flows + " groups=" + groups);
        }
    }

    /** {@code flow_count} of {@code ovs-ofctl dump-aggregate}. */
    static long flowCount(String dumpAggregate) {
        Matcher m = FLOW_COUNT.matcher(dumpAggregate);
        if (!m.find()) {
            throw new IllegalArgumentException("dump-aggregate output without flow_count: '" + dumpAggregate.strip() + "'");
        }
        return Long.parseLong(m.group(1));
    }

    /** The number of groups in {@code ovs-ofctl dump-groups} output (one {@code group_id=} line each). */
    static long groupCount(String dumpGroups) {
        Matcher m = GROUP_LINE.matcher(dumpGroups);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** {@code "IP:PORT"} of every Service frontend flow in {@code dump-flows} output, mapped to its group id. */
    static Map<String, Long> frontendGroups(String dumpFlows) {
        Map<String, Long> groups = new LinkedHashMap<>();
        for (String line : dumpFlows.lines().toList()) {
            Matcher m = FRONTEND.matcher(line);
            if (m.find()) {
                Long previous = groups.put(m.group(1) + ":" + m.group(2), Long.parseLong(m.group(3)));
                if (previous != null && previous != Long.parseLong(m.group(3))) {
                    throw new IllegalArgumentException("frontend " + m.group(1) + ":" + m.group(2) + " goes to groups "
                            + previous + " and " + m.group(3));
                }
            }
        }
        return groups;
    }

    /** The {@code IP:PORT} DNAT targets of the buckets of one group's {@code dump-groups} line(s), in order. */
    static List<String> bucketTargets(String dumpGroups) {
        List<String> targets = new ArrayList<>();
        Matcher m = NAT_DST.matcher(dumpGroups);
        while (m.find()) {
            targets.add(m.group(1) + ":" + m.group(2));
        }
        return targets;
    }

    /** How many flows of {@code dump-flows} output match on destination {@code ip} exactly. */
    static long flowsTo(String dumpFlows, String ip) {
        Pattern dst = Pattern.compile("\\bnw_dst=" + Pattern.quote(ip) + "(?![\\d./])");
        return dumpFlows.lines().filter(l -> dst.matcher(l).find()).count();
    }
}
