package io.trellis.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offloads of a pod's {@code eth0} that decide how much work a byte costs on the way out: with TX checksum
 * offload and TSO the pod's TCP hands the kernel segments of up to 64 KiB that a kernel data path (veth,
 * bridge, VXLAN) carries whole; without them (the OVS userspace datapath needs TX checksum off) every packet is
 * MSS-sized. Read with {@code ethtool -k} in the pod's namespace.
 */
final class PodOffloads {
    /** The features reported, in this order, with their short names. */
    private static final Map<String, String> FEATURES = features();
    private static final Pattern LINE = Pattern.compile("(?m)^\\s*([a-z0-9-]+): (on|off)");

    private PodOffloads() {
    }

    private static Map<String, String> features() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("tx-checksumming", "tx-csum");
        // the IPv4 TSO bit itself: ethtool's "tcp-segmentation-offload" line reads "on" while any TSO sub-feature
        // is (kernels with tx-tcp-accecn-segmentation keep that one on when TX checksum is off)
        f.put("tx-tcp-segmentation", "tso");
        f.put("generic-segmentation-offload", "gso");
        f.put("generic-receive-offload", "gro");
        return f;
    }

    static String read(String netns) {
        HostCommand.Output out = HostCommand.capture(List.of("ip", "netns", "exec", netns, "ethtool", "-k",
                PodEndpoint.INTERFACE), Duration.ofSeconds(20));
        return out.succeeded() ? summary(out.stdout()) : "unknown (ethtool -k failed)";
    }

    /** {@code tx-csum off, tso off, gso on, gro off} from {@code ethtool -k} output; missing features are left out. */
    static String summary(String ethtoolK) {
        Map<String, String> state = new LinkedHashMap<>();
        Matcher m = LINE.matcher(ethtoolK);
        while (m.find()) {
            state.putIfAbsent(m.group(1), m.group(2));
        }
        StringBuilder s = new StringBuilder();
        FEATURES.forEach((feature, shortName) -> {
            if (state.containsKey(feature)) {
                s.append(s.isEmpty() ? "" : ", ").append(shortName).append(' ').append(state.get(feature));
            }
        });
        if (s.isEmpty()) {
            throw new IllegalArgumentException("ethtool -k output names none of " + FEATURES.keySet() + ": '"
                    + ethtoolK.strip() + "'");
        }
        return s.toString();
    }
}
