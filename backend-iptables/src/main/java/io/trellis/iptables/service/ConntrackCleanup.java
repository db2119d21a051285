package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.iptables.service.ServiceRules.UdpPort;
import io.trellis.spi.service.ServiceRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which UDP conntrack entries to delete after a change (pure: no I/O). UDP has no end: a client
 * that keeps its source port keeps its conntrack entry, so its DNAT to an endpoint outlives the
 * endpoint's removal from the rules. For every (frontend, endpoint) pair that the old rules used and
 * the new ones do not, the entries of that pair go; for a frontend that is gone altogether (a
 * removed Service, port or external IP), all entries to it. TCP entries stay, as with kube-proxy: a
 * terminating endpoint may finish its connections.
 *
 * <p>Frontends are {@code IP:port} (cluster, external, LB IPs) and {@code *:nodePort} (any local
 * address). Each filter is the argument list of one {@code conntrack -D}.
 */
final class ConntrackCleanup {

    private ConntrackCleanup() {
    }

    static List<List<String>> filters(Map<ServiceRef, ServiceRules> before, Map<ServiceRef, ServiceRules> after) {
        requireNonNull(before, "before");
        requireNonNull(after, "after");
        Map<String, Set<String>> old = pairs(before);
        Map<String, Set<String>> now = pairs(after);
        List<List<String>> out = new ArrayList<>();
        old.forEach((frontend, endpoints) -> {
            Set<String> kept = now.get(frontend);
            if (kept == null || kept.isEmpty()) {
                out.add(frontendFilter(frontend));
                return;
            }
            for (String endpoint : endpoints) {
                if (!kept.contains(endpoint)) {
                    List<String> filter = new ArrayList<>(frontendFilter(frontend));
                    int colon = endpoint.lastIndexOf(':');
                    filter.addAll(List.of("--reply-src", endpoint.substring(0, colon), "--reply-port-src",
                            endpoint.substring(colon + 1)));
                    out.add(filter);
                }
            }
        });
        return out;
    }

    /** frontend ("ip:port" or "*:nodePort") -> endpoints used behind it; only frontends with endpoints. */
    private static Map<String, Set<String>> pairs(Map<ServiceRef, ServiceRules> services) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (ServiceRules rules : services.values()) {
            for (UdpPort port : rules.udpPorts()) {
                if (port.endpoints().isEmpty()) {
                    continue; // rejected, not DNATed: rejected datagrams leave no confirmed entry
                }
                for (String ip : port.frontends()) {
                    out.computeIfAbsent(ip + ":" + port.port(), f -> new LinkedHashSet<>()).addAll(port.endpoints());
                }
                port.nodePort().ifPresent(np -> out.computeIfAbsent("*:" + np, f -> new LinkedHashSet<>())
                        .addAll(port.endpoints()));
            }
        }
        return out;
    }

    private static List<String> frontendFilter(String frontend) {
        int colon = frontend.lastIndexOf(':');
        String ip = frontend.substring(0, colon);
        String port = frontend.substring(colon + 1);
        List<String> filter = new ArrayList<>(List.of("-p", "udp"));
        if (!ip.equals("*")) {
            filter.addAll(List.of("--orig-dst", ip));
        }
        filter.addAll(List.of("--orig-port-dst", port));
        if (ip.equals("*")) {
            // Only DNATed entries: a node port number may also be a port some pod talks to directly.
            filter.add("--dst-nat");
        }
        return filter;
    }
}
