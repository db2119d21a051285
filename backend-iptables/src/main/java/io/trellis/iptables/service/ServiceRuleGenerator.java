package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.iptables.service.ServiceRules.UdpPort;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.TrafficPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Computes a Service's iptables rules with kube-proxy's iptables-mode semantics (pure: no I/O).
 *
 * <p>Per Service port (IPv4 only: IPv6 addresses are left out, ip6tables is not programmed):
 * <ul>
 *   <li>{@code TRELLIS-SVC-*}: picks one of the used endpoints (ready ones, else serving-terminating
 *       ones, {@link ServiceEndpoint}) with {@code statistic --mode random --probability 1/(n-i)},
 *       the last one unconditionally; with ClientIP affinity first a {@code recent --rcheck} per
 *       endpoint. {@code TRELLIS-SVL-*} is the same over this node's endpoints (Local policies).</li>
 *   <li>{@code TRELLIS-SEP-*} per endpoint: masquerade when the source is the endpoint itself
 *       (hairpin), then DNAT (with {@code recent --set} for affinity).</li>
 *   <li>{@code TRELLIS-EXT-*} for node ports, external and LB IPs: {@code Cluster} masquerades and
 *       goes to SVC; {@code Local} sends local pods and the node itself to SVC (the node masqueraded)
 *       and everything else to SVL, keeping the client's address.</li>
 *   <li>Rules in the shared chains: cluster IP to the internal chain (SVC, or SVL with
 *       internalTrafficPolicy Local) with a masquerade for sources outside the node's pod CIDR;
 *       external and LB IPs and node ports to EXT; in filter, REJECT (TCP reset, else ICMP port
 *       unreachable) when the port has no endpoint at all, DROP when it has endpoints but none on
 *       this node for a Local policy.</li>
 * </ul>
 * Rules are written in the form {@code iptables-save} prints them, so the proxy can compare them with
 * the kernel's after a restart and leave unchanged chains alone.
 */
final class ServiceRuleGenerator {

    /** The statistic match keeps probabilities as a fixed-point fraction of 2^31. */
    private static final double STATISTIC_SCALE = 0x80000000L;

    private final ProxyNode node;

    ServiceRuleGenerator(ProxyNode node) {
        this.node = requireNonNull(node, "node");
    }

    ProxyNode node() {
        return node;
    }

    /** The rules of the fixed chains, which do not depend on the Services (per table, chain -> rules). */
    Map<String, Map<String, List<String>>> fixedRules() {
        String mark = node.settings().mark();
        Map<String, List<String>> nat = new LinkedHashMap<>();
        nat.put(ChainNames.MARK_MASQ, List.of("-j MARK --set-xmark " + mark + "/" + mark));
        nat.put(ChainNames.POSTROUTING, List.of(
                "-m mark ! --mark " + mark + "/" + mark + " -j RETURN",
                // Cleared so that a packet that is later encapsulated is not masqueraded a second time.
                "-j MARK --set-xmark 0x0/" + mark,
                "-m comment --comment \"trellis service traffic requiring SNAT\" -j MASQUERADE --random-fully"));
        return Map.of(ChainNames.NAT, nat, ChainNames.FILTER, Map.of());
    }

    /** The last rule of nat TRELLIS-SERVICES: local destination addresses go on to the node ports. */
    String nodePortsJump() {
        // 127.0.0.0/8 would need route_localnet to be DNATed elsewhere: node ports on loopback stay closed.
        return "! -d 127.0.0.0/8 -m comment --comment \"trellis service nodeports; must be the last rule\""
                + " -m addrtype --dst-type LOCAL -j " + ChainNames.NODE_PORTS;
    }

    ServiceRules rulesFor(Service service) {
        requireNonNull(service, "service");
        Rules out = new Rules();
        List<Inet4Address> clusterIps = ipv4(service.clusterIps());
        List<Inet4Address> externalIps = ipv4(service.externalIps());
        List<Inet4Address> lbIps = ipv4(service.loadBalancerIps());
        if (!clusterIps.isEmpty()) {
            for (ServicePort port : service.ports()) {
                portRules(service, port, clusterIps, externalIps, lbIps, out);
            }
        }
        return new ServiceRules(service.ref(), out.natChains, out.natServices, out.natNodePorts, out.filterServices,
                out.filterExternal, out.udpPorts);
    }

    private void portRules(Service service, ServicePort port, List<Inet4Address> clusterIps,
                           List<Inet4Address> externalIps, List<Inet4Address> lbIps, Rules out) {
        String name = service.ref().namespace() + "/" + service.ref().name()
                + (port.name().isEmpty() ? "" : ":" + port.name());
        Protocol protocol = port.protocol();
        String p = protocol.name().toLowerCase(Locale.ROOT);

        List<Target> all = used(service, port, e -> true);
        List<Target> local = used(service, port, e -> e.nodeName().equals(Optional.of(node.nodeName())));
        boolean internalLocal = service.internalTrafficPolicy() == TrafficPolicy.LOCAL;
        boolean externalLocal = service.externalTrafficPolicy() == TrafficPolicy.LOCAL;
        boolean hasExternalFrontends = port.nodePort().isPresent() || !externalIps.isEmpty() || !lbIps.isEmpty();
        List<Target> internal = internalLocal ? local : all;
        List<Target> external = externalLocal ? local : all;

        String svc = ChainNames.svc(service.ref(), port.name(), protocol);
        String svl = ChainNames.svl(service.ref(), port.name(), protocol);
        String ext = ChainNames.ext(service.ref(), port.name(), protocol);
        // SVC serves the cluster IP (Cluster policy) and EXT's Cluster path or Local short-circuit.
        boolean needSvc = !all.isEmpty() && (!internalLocal || hasExternalFrontends);
        boolean needSvl = !local.isEmpty() && (internalLocal || (externalLocal && hasExternalFrontends));
        boolean needExt = !all.isEmpty() && hasExternalFrontends;
        String internalChain = internalLocal ? svl : svc;

        Optional<ClientIpAffinity> affinity = service.clientIpAffinity();
        Map<String, List<String>> sepChains = new TreeMap<>();
        if (needSvc) {
            out.natChains.put(svc, balance(name, service, port, !internalLocal, clusterIps, all, affinity, sepChains));
        }
        if (needSvl) {
            out.natChains.put(svl, balance(name, service, port, internalLocal, clusterIps, local, affinity, sepChains));
        }
        if (needExt) {
            out.natChains.put(ext, externalChain(name, externalLocal, svc, needSvl ? Optional.of(svl) : Optional.empty()));
        }
        out.natChains.putAll(sepChains);

        String portMatch = "-m " + p + " --dport " + port.port();
        for (Inet4Address ip : clusterIps) {
            String dst = "-d " + ip.getHostAddress() + "/32 -p " + p;
            if (!internal.isEmpty()) {
                out.natServices.add(dst + " " + comment(name + " cluster IP") + " " + portMatch + " -j " + internalChain);
            } else {
                out.filterServices.add(dst + " " + comment(name + noEndpoints(all, internalLocal)) + " " + portMatch
                        + " -j " + filterTarget(protocol, all, internalLocal));
            }
        }
        List<String> frontends = new ArrayList<>(clusterIps.stream().map(Inet4Address::getHostAddress).toList());
        externalFrontends(name, "external IP", externalIps, p, portMatch, needExt, ext, external, all, externalLocal,
                protocol, out);
        externalFrontends(name, "loadbalancer IP", lbIps, p, portMatch, needExt, ext, external, all, externalLocal,
                protocol, out);
        externalIps.forEach(ip -> frontends.add(ip.getHostAddress()));
        lbIps.forEach(ip -> frontends.add(ip.getHostAddress()));
        if (port.nodePort().isPresent()) {
            String nodePortMatch = "-m " + p + " --dport " + port.nodePort().getAsInt();
            if (needExt) {
                out.natNodePorts.add("-p " + p + " " + comment(name) + " " + nodePortMatch + " -j " + ext);
            }
            if (external.isEmpty()) {
                out.filterExternal.add("-p " + p + " " + comment(name + noEndpoints(all, externalLocal))
                        + " -m addrtype --dst-type LOCAL " + nodePortMatch + " -j "
                        + filterTarget(protocol, all, externalLocal));
            }
        }
        if (protocol == Protocol.UDP) {
            Set<String> endpoints = new LinkedHashSet<>();
            (needSvc ? all : List.<Target>of()).forEach(t -> endpoints.add(t.text()));
            (needSvl ? local : List.<Target>of()).forEach(t -> endpoints.add(t.text()));
            out.udpPorts.add(new UdpPort(port.name(), frontends, port.port(), port.nodePort(), endpoints));
        }
    }

    private void externalFrontends(String name, String kind, List<Inet4Address> ips, String p, String portMatch,
                                   boolean needExt, String ext, List<Target> external, List<Target> all,
                                   boolean externalLocal, Protocol protocol, Rules out) {
        for (Inet4Address ip : ips) {
            String dst = "-d " + ip.getHostAddress() + "/32 -p " + p;
            if (needExt) {
                out.natServices.add(dst + " " + comment(name + " " + kind) + " " + portMatch + " -j " + ext);
            }
            if (external.isEmpty()) {
                // With Local and endpoints elsewhere only what EXT did not DNAT (outside clients) gets here.
                out.filterExternal.add(dst + " " + comment(name + noEndpoints(all, externalLocal)) + " " + portMatch + " -j "
                        + filterTarget(protocol, all, externalLocal));
            }
        }
    }

    /** The SVC/SVL chain: masquerade of non-pod sources to the cluster IP (internal chain only), then the pick. */
    private List<String> balance(String name, Service service, ServicePort port, boolean internalChain,
                                 List<Inet4Address> clusterIps, List<Target> targets, Optional<ClientIpAffinity> affinity,
                                 Map<String, List<String>> sepChains) {
        String p = port.protocol().name().toLowerCase(Locale.ROOT);
        List<String> rules = new ArrayList<>();
        if (internalChain) {
            for (Inet4Address ip : clusterIps) {
                rules.add("! -s " + node.podCidr() + " -d " + ip.getHostAddress() + "/32 -p " + p
                        + " " + comment(name + " cluster IP") + " -m " + p + " --dport " + port.port() + " -j "
                        + ChainNames.MARK_MASQ);
            }
        }
        List<String> seps = new ArrayList<>();
        for (Target t : targets) {
            String sep = ChainNames.sep(service.ref(), port.name(), port.protocol(), t.text());
            seps.add(sep);
            sepChains.put(sep, endpointChain(name, p, t, sep, affinity));
        }
        if (affinity.isPresent()) {
            for (int i = 0; i < targets.size(); i++) {
                rules.add(comment(name + " -> " + targets.get(i).text()) + " -m recent --rcheck --seconds "
                        + affinity.get().timeoutSeconds() + " --reap --name " + seps.get(i)
                        + " --mask 255.255.255.255 --rsource -j " + seps.get(i));
            }
        }
        int n = targets.size();
        for (int i = 0; i < n; i++) {
            String head = comment(name + " -> " + targets.get(i).text());
            if (i < n - 1) {
                rules.add(head + " -m statistic --mode random --probability " + probability(n - i) + " -j " + seps.get(i));
            } else {
                rules.add(head + " -j " + seps.get(i));
            }
        }
        return rules;
    }

    private List<String> endpointChain(String name, String p, Target t, String sep, Optional<ClientIpAffinity> affinity) {
        String recent = affinity.isPresent() ? " -m recent --set --name " + sep + " --mask 255.255.255.255 --rsource" : "";
        return List.of(
                "-s " + t.ip().getHostAddress() + "/32 " + comment(name) + " -j " + ChainNames.MARK_MASQ,
                "-p " + p + " " + comment(name) + recent + " -j DNAT --to-destination " + t.text());
    }

    private List<String> externalChain(String name, boolean externalLocal, String svc, Optional<String> svl) {
        List<String> rules = new ArrayList<>();
        String what = name + " external destinations";
        if (!externalLocal) {
            rules.add(comment("masquerade traffic for " + what) + " -j " + ChainNames.MARK_MASQ);
            rules.add("-j " + svc);
            return rules;
        }
        // Pods and the node itself reach every endpoint (kube-proxy's short-circuit); only outside
        // clients are limited to local endpoints, and they keep their source address.
        rules.add("-s " + node.podCidr() + " " + comment("pod traffic for " + what + " redirected to the cluster") + " -j " + svc);
        rules.add(comment("masquerade LOCAL traffic for " + what) + " -m addrtype --src-type LOCAL -j "
                + ChainNames.MARK_MASQ);
        rules.add(comment("route LOCAL traffic for " + what + " to the cluster")
                + " -m addrtype --src-type LOCAL -j " + svc);
        svl.ifPresent(chain -> rules.add("-j " + chain));
        return rules;
    }

    /** {@code 1/remaining} as iptables-save prints the statistic match's fixed-point value. */
    static String probability(int remaining) {
        long fixed = Math.round(STATISTIC_SCALE / remaining);
        return String.format(Locale.ROOT, "%.11f", fixed / STATISTIC_SCALE);
    }

    private static String noEndpoints(List<Target> all, boolean local) {
        return all.isEmpty() || !local ? " has no endpoints" : " has no local endpoints";
    }

    /** REJECT when there is no endpoint at all; DROP when a Local policy finds none on this node. */
    private static String filterTarget(Protocol protocol, List<Target> all, boolean local) {
        if (!all.isEmpty() && local) {
            return "DROP";
        }
        return protocol == Protocol.TCP ? "REJECT --reject-with tcp-reset" : "REJECT --reject-with icmp-port-unreachable";
    }

    private static String comment(String text) {
        if (text.indexOf('"') >= 0 || text.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("comment text must not contain quotes or backslashes: " + text);
        }
        return "-m comment --comment \"" + text + "\"";
    }

    /**
     * The endpoints new connections to {@code port} go to among those {@code eligible}: the ready
     * ones, else the serving-terminating ones; IPv4 only, deduplicated, in address order (so a
     * reordered EndpointSlice does not rewrite the chain).
     */
    private static List<Target> used(Service service, ServicePort port, Predicate<ServiceEndpoint> eligible) {
        Set<Target> ready = new LinkedHashSet<>();
        Set<Target> terminating = new LinkedHashSet<>();
        for (ServiceEndpoint e : service.endpoints()) {
            if (!(e.address() instanceof Inet4Address ip) || !eligible.test(e)) {
                continue;
            }
            Optional<EndpointPort> ep = e.portFor(port);
            if (ep.isEmpty()) {
                continue;
            }
            Target t = new Target(ip, ep.get().port());
            if (e.ready()) {
                ready.add(t);
            } else if (e.servingTerminating()) {
                terminating.add(t);
            }
        }
        List<Target> chosen = new ArrayList<>(ready.isEmpty() ? terminating : ready);
        chosen.sort(Target.ORDER);
        return chosen;
    }

    private static List<Inet4Address> ipv4(List<InetAddress> addresses) {
        return addresses.stream().filter(a -> a instanceof Inet4Address).map(a -> (Inet4Address) a).distinct().toList();
    }

    /** An endpoint address and port. */
    record Target(Inet4Address ip, int port) {
        static final Comparator<Target> ORDER = Comparator.<Target>comparingLong(
                t -> Integer.toUnsignedLong(ByteBuffer.wrap(t.ip().getAddress()).getInt())).thenComparingInt(Target::port);

        String text() {
            return ip.getHostAddress() + ":" + port;
        }
    }

    private static final class Rules {
        final Map<String, List<String>> natChains = new LinkedHashMap<>();
        final List<String> natServices = new ArrayList<>();
        final List<String> natNodePorts = new ArrayList<>();
        final List<String> filterServices = new ArrayList<>();
        final List<String> filterExternal = new ArrayList<>();
        final List<UdpPort> udpPorts = new ArrayList<>();
    }
}
