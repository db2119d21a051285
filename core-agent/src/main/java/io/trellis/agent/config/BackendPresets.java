package io.trellis.agent.config;

import io.trellis.agent.backend.Concern;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One-word {@code backends:} values that stand for a whole data plane, so that an administrator who
 * wants "the OVS data plane" or "the kernel data plane" does not spell out five concerns:
 * <pre>
 * backends: iptables      # same as {ipam: host-local, podInterface: linux-bridge, nodeRoutes: vxlan,
 *                         #          serviceProxy: iptables, policy: iptables}
 * </pre>
 * A preset is expanded before validation, so every check (backend on the class path, concern
 * provided, {@code controller:} needed for a policy backend) applies exactly as if the concerns had
 * been written out; errors then name the preset.
 */
final class BackendPresets {

    private static final Map<String, Map<Concern, String>> PRESETS = presets();

    private BackendPresets() {
    }

    private static Map<String, Map<Concern, String>> presets() {
        Map<String, Map<Concern, String>> presets = new LinkedHashMap<>();
        presets.put("ovs", Map.of(Concern.IPAM, "host-local", Concern.POD_INTERFACE, "ovs",
                Concern.NODE_ROUTES, "ovs", Concern.SERVICE_PROXY, "ovs", Concern.POLICY, "ovs"));
        presets.put("iptables", Map.of(Concern.IPAM, "host-local", Concern.POD_INTERFACE, "linux-bridge",
                Concern.NODE_ROUTES, "vxlan", Concern.SERVICE_PROXY, "iptables", Concern.POLICY, "iptables"));
        return Map.copyOf(presets);
    }

    /** The names of the presets, sorted. */
    static Set<String> names() {
        return new java.util.TreeSet<>(PRESETS.keySet());
    }

    /** The concerns a preset stands for, keyed by their {@code backends.<key>} names, in concern order. */
    static Optional<Map<String, Object>> expand(String preset) {
        Map<Concern, String> chosen = PRESETS.get(preset);
        if (chosen == null) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Concern concern : Concern.values()) {
            out.put(concern.configKey(), chosen.get(concern));
        }
        return Optional.of(out);
    }
}
