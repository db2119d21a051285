package io.trellis.spi.pod;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.Route;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything needed to connect one attachment: where the pod lives, what addresses IPAM gave it,
 * the routes it gets, the MTU and, when the runtime asked for one, the MAC of the pod interface.
 *
 * @param attachment the pod sandbox and the interface name to create inside it ({@code CNI_IFNAME})
 * @param netns      the pod's network namespace path ({@code CNI_NETNS})
 * @param addresses  the addresses IPAM allocated, to put on the pod interface
 * @param routes     the routes to install in the pod (typically the default route via the gateway)
 * @param mtu        the resolved MTU of the pod interface (never "auto": the agent resolved it)
 * @param mac        a MAC the runtime asked for (CNI {@code args}/{@code runtimeConfig} "mac"); when
 *                   empty the backend chooses one
 */
public record PodInterfaceRequest(
        PodAttachment attachment, Path netns, List<IpAddress> addresses, List<Route> routes, int mtu,
        Optional<MacAddress> mac) {
    public PodInterfaceRequest {
        requireNonNull(attachment, "attachment");
        requireNonNull(netns, "netns");
        addresses = List.copyOf(requireNonNull(addresses, "addresses"));
        routes = List.copyOf(requireNonNull(routes, "routes"));
        requireNonNull(mac, "mac");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a pod interface needs at least one address");
        }
        if (mtu < Mtu.MIN || mtu > Mtu.MAX) {
            throw new IllegalArgumentException("MTU must be " + Mtu.MIN + ".." + Mtu.MAX + ", got " + mtu);
        }
        mac.ifPresent(m -> {
            if (m.isMulticast()) {
                throw new IllegalArgumentException("requested MAC " + m + " is a group address; an interface needs a unicast one");
            }
        });
    }
}
