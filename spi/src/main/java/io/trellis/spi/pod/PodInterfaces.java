package io.trellis.spi.pod;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an attachment produced, for the CNI result. {@code host} is the node-side end when there is
 * one (the host end of a veth pair); a backend that hands the pod a device with no host-side peer
 * (an SR-IOV virtual function, a macvlan) leaves it empty. {@code routes} are the routes actually
 * installed in the pod: usually those requested, but a routed backend may use its own (e.g. a
 * default route via a link-local gateway with proxy ARP on the host end).
 */
public record PodInterfaces(Optional<InterfaceInfo> host, InterfaceInfo pod, List<Route> routes) {
    public PodInterfaces {
        requireNonNull(host, "host");
        requireNonNull(pod, "pod");
        routes = List.copyOf(requireNonNull(routes, "routes"));
        if (pod.sandbox().isEmpty()) {
            throw new IllegalArgumentException("the pod interface " + pod.name() + " needs its sandbox path");
        }
        host.ifPresent(h -> {
            if (h.sandbox().isPresent()) {
                throw new IllegalArgumentException("the host interface " + h.name() + " is not in a sandbox, got "
                        + h.sandbox().get());
            }
        });
    }

    /** The {@code interfaces} array of a CNI result: the host end first when there is one, then the pod end. */
    public List<InterfaceInfo> cniInterfaces() {
        List<InterfaceInfo> out = new ArrayList<>(2);
        host.ifPresent(out::add);
        out.add(pod);
        return List.copyOf(out);
    }

    /** The index of the pod interface in {@link #cniInterfaces()}, which a CNI result's {@code ips[].interface} refers to. */
    public int podInterfaceIndex() {
        return host.isPresent() ? 1 : 0;
    }
}
