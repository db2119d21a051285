package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.Address;
import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.MacAddress;
import io.trellis.netlink.route.Neighbour;
import io.trellis.netlink.route.Route;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.Rtm;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.service.DesiredService;
import io.trellis.ovs.service.ServiceHostRules;
import io.trellis.ovs.service.ServiceHostRules.GatewayRoute;
import io.trellis.ovs.service.ServiceHostRules.Jump;
import io.trellis.ovs.service.ServiceHostState;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link ServiceHostRules} in the node's network namespace: the nat and filter chains with
 * {@code iptables-restore --noflush} (each chain rewritten whole; the jumps into them added once,
 * first in their built-in chains, and only when missing), the gateway's permanent neighbours and
 * its routes through netlink. Routes carry {@link #RTPROT_TRELLIS_SERVICES}, so every apply finds
 * and removes the ones no longer wanted (an external IP dropped from its Service, a deleted
 * Service's cluster IP), also those of an earlier agent run, and {@link #uninstall} removes them all.
 *
 * <p>Every {@link #apply} reconciles from what the kernel holds (one iptables-save per table, one
 * route dump): after ovs-vswitchd recreated the gateway device, whose routes and neighbours went
 * with the old one, the next apply puts them back. The gateway's index, MAC and IPv4 address
 * (the routes' source, so host-network clients' replies come back to this node) are read each time.
 */
public final class ServiceHostNetwork implements ServiceHostState {

    /**
     * rtm_protocol of the Service routes ('u'); not {@link GatewayHostRoutes#RTPROT_TRELLIS}, whose
     * owner deletes every route of its number it does not know.
     */
    static final int RTPROT_TRELLIS_SERVICES = 0x75;

    private static final Logger LOG = LoggerFactory.getLogger(ServiceHostNetwork.class);

    private final NodeNetlink netlink;
    private final NamespacedIptables iptables;
    private final ServiceHostRules rules;

    ServiceHostNetwork(NodeNetlink netlink, NamespacedIptables iptables, ServiceHostRules rules) {
        this.netlink = requireNonNull(netlink, "netlink");
        this.iptables = requireNonNull(iptables, "iptables");
        this.rules = requireNonNull(rules, "rules");
    }

    /** Works in {@code netlink}'s node namespace on the gateway device {@code gatewayDevice}. */
    public static ServiceHostNetwork inNode(NodeNetlink netlink, String gatewayDevice, Duration timeout) {
        requireNonNull(netlink, "netlink");
        return new ServiceHostNetwork(netlink, NamespacedIptables.in(netlink.switcher(), netlink.nodeNamespace(), timeout),
                new ServiceHostRules(gatewayDevice));
    }

    @Override
    public synchronized void apply(Collection<DesiredService> services) {
        requireNonNull(services, "services");
        RtNetlink rtnl = netlink.node();
        Link gateway = rtnl.links().get(rules.gatewayInterface()).orElseThrow(() -> new IllegalStateException(
                "gateway device " + rules.gatewayInterface() + " does not exist in netns "
                        + netlink.nodeNamespace().description()));
        MacAddress gatewayMac = gateway.mac().orElseThrow(() -> new IllegalStateException("gateway device "
                + rules.gatewayInterface() + " has no MAC address"));
        Inet4Address gatewayIp = gatewayIpv4(rtnl, gateway);

        String input = rules.natRestoreInput(services) + rules.filterRestoreInput(services);
        input = withMissingJumps(input);
        iptables.restore(input);

        // Neighbours before routes: a route without its next hop's entry would send an ARP request
        // into br-int, which does not answer it.
        for (Inet4Address ip : rules.gatewayNeighbours()) {
            rtnl.neighbours().replace(Neighbour.permanent(gateway.index(), ip, gatewayMac));
        }
        Map<IpPrefix, Route> wanted = new HashMap<>();
        for (GatewayRoute r : rules.routes(services)) {
            Route route = netlinkRoute(r, gateway.index(), gatewayIp);
            wanted.put(route.destination(), route);
        }
        int removed = 0;
        int replaced = 0;
        Map<IpPrefix, Route> present = new HashMap<>();
        for (Route r : rtnl.routes().list(Syscalls.AF_INET, Rtm.RT_TABLE_MAIN)) {
            if (r.protocol() != RTPROT_TRELLIS_SERVICES) {
                continue;
            }
            if (wanted.containsKey(r.destination())) {
                present.put(r.destination(), r);
            } else {
                IdempotentNetlink.deleteRoute(rtnl, r);
                removed++;
            }
        }
        for (Route route : wanted.values()) {
            if (!same(present.get(route.destination()), route)) {
                rtnl.routes().replace(route);
                replaced++;
            }
        }
        LOG.debug("services on the host: {} services, {} routes via {} ({} written, {} stale removed)", services.size(),
                wanted.size(), rules.gatewayInterface(), replaced, removed);
    }

    /**
     * Removes the chains, the jumps into them and every Service route (the neighbours go with the
     * gateway device); finding nothing is fine.
     */
    public synchronized void uninstall() {
        StringBuilder input = new StringBuilder();
        for (Map.Entry<String, List<String>> table : ServiceHostRules.chains().entrySet()) {
            IptablesTable saved = iptables.save(table.getKey());
            table.getValue().forEach(chain -> input.append(saved.removalInput(chain)));
        }
        if (!input.isEmpty()) {
            iptables.restore(input.toString());
        }
        RtNetlink rtnl = netlink.node();
        int removed = 0;
        for (Route r : rtnl.routes().list(Syscalls.AF_INET, Rtm.RT_TABLE_MAIN)) {
            if (r.protocol() == RTPROT_TRELLIS_SERVICES) {
                IdempotentNetlink.deleteRoute(rtnl, r);
                removed++;
            }
        }
        LOG.info("service chains and {} service routes removed from netns {}", removed,
                netlink.nodeNamespace().description());
    }

    /** {@code input} plus, in each table's section, the jumps the kernel's tables lack. */
    private String withMissingJumps(String input) {
        Map<String, IptablesTable> saved = new HashMap<>();
        Map<String, StringBuilder> missing = new HashMap<>();
        for (Jump jump : rules.jumps()) {
            IptablesTable table = saved.computeIfAbsent(jump.table(), iptables::save);
            IptablesTable.Rule wantedRule = new IptablesTable.Rule(jump.from(), jump.spec());
            boolean present = table.jumpsTo(jump.chain()).stream().anyMatch(r -> r.chain().equals(jump.from())
                    && r.arguments().equals(wantedRule.arguments()));
            if (!present) {
                // First, so that rules of other software in the built-in chain do not decide first.
                missing.computeIfAbsent(jump.table(), t -> new StringBuilder()).append("-I ").append(jump.from())
                        .append(" 1 ").append(jump.spec()).append('\n');
            }
        }
        if (missing.isEmpty()) {
            return input;
        }
        List<String> sections = new ArrayList<>();
        for (String section : input.split("(?<=COMMIT\n)")) {
            String table = section.substring(1, section.indexOf('\n'));
            StringBuilder jumps = missing.get(table);
            // The jumps after the chain declarations (so the chains exist), before COMMIT.
            sections.add(jumps == null ? section
                    : section.substring(0, section.length() - "COMMIT\n".length()) + jumps + "COMMIT\n");
        }
        return String.join("", sections);
    }

    private static Route netlinkRoute(GatewayRoute r, int gatewayIndex, Inet4Address gatewayIp) {
        IpPrefix destination = new IpPrefix(r.destination(), 32);
        Route route = r.via().map(via -> Route.via(destination, via, gatewayIndex).withOnLinkGateway())
                .orElseGet(() -> Route.onLink(destination, gatewayIndex));
        return route.withPreferredSource(gatewayIp).withProtocol(RTPROT_TRELLIS_SERVICES);
    }

    /** Whether the kernel's route {@code present} is {@code wanted} (in the fields this class sets). */
    private static boolean same(Route present, Route wanted) {
        return present != null && present.gateway().equals(wanted.gateway())
                && present.outputIndex().equals(wanted.outputIndex())
                && present.preferredSource().equals(wanted.preferredSource());
    }

    private Inet4Address gatewayIpv4(RtNetlink rtnl, Link gateway) {
        for (Address a : rtnl.addresses().listOn(gateway.index())) {
            if (a.prefix().address() instanceof Inet4Address ip) {
                return ip;
            }
        }
        throw new IllegalStateException("gateway device " + rules.gatewayInterface() + " has no IPv4 address in netns "
                + netlink.nodeNamespace().description());
    }
}
