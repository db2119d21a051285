package io.trellis.cni.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The result of an ADD in a version-neutral form: what the agent returns, and what a
 * {@code prevResult} is read into. The executable renders it in the cniVersion the runtime asked for.
 */
public record CniResult(List<CniInterface> interfaces, List<CniIp> ips, List<CniRoute> routes, Optional<CniDns> dns) {
    public CniResult {
        interfaces = List.copyOf(requireNonNull(interfaces, "interfaces"));
        ips = List.copyOf(requireNonNull(ips, "ips"));
        routes = List.copyOf(requireNonNull(routes, "routes"));
        requireNonNull(dns, "dns");
        for (CniIp ip : ips) {
            if (ip.interfaceIndex().isPresent() && ip.interfaceIndex().getAsInt() >= interfaces.size()) {
                throw new IllegalArgumentException("ip " + ip.address().cidr() + " refers to interface "
                        + ip.interfaceIndex().getAsInt() + " but the result has " + interfaces.size() + " interface(s)");
            }
        }
    }

    public static CniResult empty() {
        return new CniResult(List.of(), List.of(), List.of(), Optional.empty());
    }
}
