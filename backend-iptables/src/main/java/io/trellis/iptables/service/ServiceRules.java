package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.service.ServiceRef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What one Service contributes to the tables: its own nat chains (whole) and its rules in the shared
 * chains. Rules are iptables-save specs (what follows {@code -A CHAIN }).
 *
 * @param ref            the Service
 * @param natChains      its SVC/SVL/EXT/SEP chains with their rules, in declaration order
 * @param natServices    its rules in nat {@link ChainNames#SERVICES}
 * @param natNodePorts   its rules in nat {@link ChainNames#NODE_PORTS}
 * @param filterServices its rules in filter {@link ChainNames#FILTER_SERVICES}
 * @param filterExternal its rules in filter {@link ChainNames#EXTERNAL_SERVICES}
 * @param udpPorts       its UDP ports with the endpoints they use, for conntrack cleanup
 */
record ServiceRules(ServiceRef ref, Map<String, List<String>> natChains, List<String> natServices,
                    List<String> natNodePorts, List<String> filterServices, List<String> filterExternal,
                    List<UdpPort> udpPorts) {

    ServiceRules {
        requireNonNull(ref, "ref");
        natChains = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(natChains, "natChains")));
        natServices = List.copyOf(requireNonNull(natServices, "natServices"));
        natNodePorts = List.copyOf(requireNonNull(natNodePorts, "natNodePorts"));
        filterServices = List.copyOf(requireNonNull(filterServices, "filterServices"));
        filterExternal = List.copyOf(requireNonNull(filterExternal, "filterExternal"));
        udpPorts = List.copyOf(requireNonNull(udpPorts, "udpPorts"));
    }

    /**
     * A UDP Service port as conntrack sees it.
     *
     * @param name      the Service port's name
     * @param frontends the IPv4 addresses it answers on (cluster, external, LB IPs)
     * @param port      the port on them
     * @param nodePort  its node port, if any
     * @param endpoints the {@code ip:port} endpoints it sends new connections to (any policy)
     */
    record UdpPort(String name, List<String> frontends, int port, OptionalInt nodePort, Set<String> endpoints) {
        UdpPort {
            requireNonNull(name, "name");
            frontends = List.copyOf(requireNonNull(frontends, "frontends"));
            requireNonNull(nodePort, "nodePort");
            endpoints = Set.copyOf(requireNonNull(endpoints, "endpoints"));
        }
    }
}
