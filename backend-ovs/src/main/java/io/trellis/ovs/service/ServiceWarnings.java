package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about what the proxy leaves out of a Service, once per Service and reason rather than on
 * every update (a Service is upserted again on each endpoint change):
 * <ul>
 *   <li>an SCTP port is skipped ({@link DesiredService#unsupportedPorts}): OVS's userspace datapath
 *       conntrack (checked on OVS 3.1) tracks SCTP as a protocol without ports (its entries show
 *       {@code sport=0,dport=0}), so {@code ct(nat(dst=EP:PORT))} rewrites the address and leaves
 *       the port, and every association of one client to the cluster IP shares one entry (one
 *       endpoint, whatever the ports). The port gets no frontend; the cluster IP's catch-all drop
 *       drops its packets, so clients fail instead of reaching a wrong port;</li>
 *   <li>a ClientIP affinity timeout above {@link ServiceFlows#MAX_AFFINITY_TIMEOUT_SECONDS} is
 *       shortened (the learned flow's 16-bit idle timeout).</li>
 * </ul>
 * Not thread-safe: the proxy calls it under its own lock.
 */
final class ServiceWarnings {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceWarnings.class);

    private final Consumer<String> sink;
    /** Per Service, the warnings already given and still applying ("port SCTP/3868", "affinity 86400"). */
    private final Map<ServiceRef, Set<String>> given = new HashMap<>();

    /** Warnings go to this class's SLF4J logger at WARN. */
    ServiceWarnings() {
        this(LOG::warn);
    }

    /** @param sink receives each warning's text (tests collect them) */
    ServiceWarnings(Consumer<String> sink) {
        this.sink = requireNonNull(sink, "sink");
    }

    /** Warns about what of {@code service} is left out, unless already warned about; returns the new warnings. */
    List<String> check(Service service) {
        requireNonNull(service, "service");
        Set<String> seen = new HashSet<>();
        List<String> fresh = new ArrayList<>();
        Set<String> before = given.getOrDefault(service.ref(), Set.of());
        for (ServicePort port : DesiredService.unsupportedPorts(service)) {
            String key = "port " + port.protocol() + "/" + port.port();
            seen.add(key);
            if (!before.contains(key)) {
                fresh.add("service " + service.ref() + " port " + describe(port) + ": not load-balanced, skipped: "
                        + "OVS's userspace datapath conntrack tracks SCTP without ports, so ct(nat) cannot DNAT it "
                        + "to an endpoint port (and one client's associations would share one entry); connections "
                        + "to it are dropped");
            }
        }
        int timeout = service.clientIpAffinity().map(ClientIpAffinity::timeoutSeconds).orElse(0);
        if (timeout > ServiceFlows.MAX_AFFINITY_TIMEOUT_SECONDS) {
            String key = "affinity " + timeout;
            seen.add(key);
            if (!before.contains(key)) {
                fresh.add("service " + service.ref() + ": ClientIP affinity timeout " + timeout + " s is kept for "
                        + ServiceFlows.MAX_AFFINITY_TIMEOUT_SECONDS + " s only (the learned flow's 16-bit idle timeout)");
            }
        }
        // Only what still applies is remembered: a port that comes back later is warned about again.
        if (seen.isEmpty()) {
            given.remove(service.ref());
        } else {
            given.put(service.ref(), seen);
        }
        fresh.forEach(sink);
        return fresh;
    }

    /** The Service is gone: if it comes back, its warnings are given again. */
    void forget(ServiceRef ref) {
        given.remove(requireNonNull(ref, "ref"));
    }

    /** Forgets every Service not in {@code present} (a full replace). */
    void retainOnly(Collection<ServiceRef> present) {
        given.keySet().retainAll(Set.copyOf(present));
    }

    private static String describe(ServicePort port) {
        String proto = port.protocol() + "/" + port.port();
        return port.name().isEmpty() ? proto : port.name() + " (" + proto + ")";
    }
}
