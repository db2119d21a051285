package io.trellis.agent.cniserver;

import io.trellis.cni.model.CniInterface;
import io.trellis.cni.model.CniIp;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.model.CniRoute;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Route;
import io.trellis.spi.pod.InterfaceInfo;
import io.trellis.spi.pod.PodInterfaces;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Translates between the SPI's values and the CNI result: what ADD returns and what CHECK compares. */
final class CniResults {
    private static final IpPrefix IPV4_DEFAULT = IpPrefix.parse("0.0.0.0/0");
    private static final IpPrefix IPV6_DEFAULT = IpPrefix.parse("::/0");

    private CniResults() {
    }

    /**
     * The result of an ADD: the driver's interfaces (host end first), every address on the pod
     * interface, and the routes the driver installed in the pod.
     */
    static CniResult of(PodInterfaces interfaces, List<IpAddress> addresses, int mtu) {
        List<CniInterface> cniInterfaces = new ArrayList<>();
        for (InterfaceInfo info : interfaces.cniInterfaces()) {
            CniInterface i = CniInterface.named(info.name()).withMac(info.mac().toString()).withMtu(mtu);
            cniInterfaces.add(info.sandbox().map(s -> i.withSandbox(s.toString())).orElse(i));
        }
        List<CniIp> ips = addresses.stream().map(a -> CniIp.on(interfaces.podInterfaceIndex(), a)).toList();
        List<CniRoute> routes = interfaces.routes().stream().map(CniResults::route).toList();
        return new CniResult(cniInterfaces, ips, routes, Optional.empty());
    }

    private static CniRoute route(Route route) {
        CniRoute r = CniRoute.to(route.destination().network(), route.destination().prefixLength());
        return route.gateway().map(r::via).orElse(r);
    }

    /** The routes a pod gets: a default route of each address's family via that address's gateway. */
    static List<Route> defaultRoutes(List<IpAddress> addresses) {
        List<Route> routes = new ArrayList<>();
        for (IpAddress a : addresses) {
            a.gateway().ifPresent(gw -> routes.add(new Route(
                    gw.getAddress().length == 4 ? IPV4_DEFAULT : IPV6_DEFAULT, Optional.of(gw))));
        }
        return List.copyOf(routes);
    }

    /**
     * What a CHECK's prevResult must still hold of ours: the pod interface (name, sandbox, MAC) and
     * every address IPAM holds for the attachment. Returns the differences, empty when none.
     */
    static List<String> missingFrom(CniResult prev, PodInterfaces ours, List<IpAddress> addresses) {
        List<String> problems = new ArrayList<>();
        InterfaceInfo pod = ours.pod();
        String sandbox = pod.sandbox().map(Object::toString).orElse("");
        boolean found = prev.interfaces().stream().anyMatch(i -> i.name().equals(pod.name())
                && i.sandbox().orElse("").equals(sandbox)
                && i.mac().map(m -> m.equalsIgnoreCase(pod.mac().toString())).orElse(true));
        if (!found) {
            problems.add("prevResult has no interface " + pod.name() + " with mac " + pod.mac() + " in sandbox " + sandbox);
        }
        for (IpAddress a : addresses) {
            boolean listed = prev.ips().stream().anyMatch(ip -> sameAddress(ip.address(), a));
            if (!listed) {
                problems.add("prevResult lacks ip " + a.cidr());
            }
        }
        return problems;
    }

    private static boolean sameAddress(IpAddress x, IpAddress y) {
        InetAddress a = x.address();
        return a.equals(y.address()) && x.prefixLength() == y.prefixLength();
    }
}
