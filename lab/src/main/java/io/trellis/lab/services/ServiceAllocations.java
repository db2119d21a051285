package io.trellis.lab.services;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The API server's Service allocators, for the lab: a cluster IP from {@link LabServiceNetwork#SERVICE_CIDR} for
 * every Service of type ClusterIP, NodePort or LoadBalancer without one (not for headless {@code clusterIP: None}
 * or ExternalName Services), and a node port from {@link LabServiceNetwork#NODE_PORT_FIRST}-{@link
 * LabServiceNetwork#NODE_PORT_LAST} for every port of a NodePort or LoadBalancer Service without one. Values set
 * by the user are recorded so nothing is handed out twice; a Service keeps what it got while it exists (an
 * update that drops the values gets the same ones back, as the API server keeps them on update) and frees it
 * when deleted. Pure bookkeeping, one thread; the caller writes the result.
 */
final class ServiceAllocations {
    /**
     * What a Service must be given.
     *
     * @param clusterIp  the cluster IP to set, when it has none
     * @param nodePorts  spec.ports index → the node port to set there
     * @param conflicts  values the Service set itself that another Service holds (the API server would have
     *                   refused it; the lab can only report it)
     */
    record Assignment(Optional<String> clusterIp, Map<Integer, Integer> nodePorts, List<String> conflicts) {
        Assignment {
            Objects.requireNonNull(clusterIp, "clusterIp");
            nodePorts = Map.copyOf(nodePorts);
            conflicts = List.copyOf(conflicts);
        }

        boolean changesNothing() {
            return clusterIp.isEmpty() && nodePorts.isEmpty();
        }
    }

    private final RangeAllocator clusterIps = new RangeAllocator("cluster IP",
            LabServiceNetwork.firstAllocatable(), LabServiceNetwork.lastAllocatable());
    private final RangeAllocator nodePorts = new RangeAllocator("node port", LabServiceNetwork.NODE_PORT_FIRST,
            LabServiceNetwork.NODE_PORT_LAST);
    /** Service key (NS/NAME) → its cluster IP. */
    private final Map<String, Long> ipOf = new HashMap<>();
    /** Service key → port id (protocol/port) → its node port. */
    private final Map<String, Map<String, Long>> nodePortsOf = new HashMap<>();

    static String key(Service service) {
        return service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
    }

    /**
     * Records what the Service holds without allocating anything: first, for every Service that exists when
     * the controller starts, so that a value one of them set is not handed to another.
     */
    void observe(Service service) {
        reconcile(service, false);
    }

    /**
     * Records what the Service holds, allocates what it lacks and frees what it no longer uses.
     *
     * @throws IllegalStateException when a range is exhausted
     */
    Assignment reconcile(Service service) {
        return reconcile(service, true);
    }

    private Assignment reconcile(Service service, boolean allocate) {
        String key = key(service);
        ServiceSpec spec = service.getSpec() == null ? new ServiceSpec() : service.getSpec();
        String type = spec.getType() == null || spec.getType().isEmpty() ? "ClusterIP" : spec.getType();
        List<String> conflicts = new ArrayList<>();
        Optional<String> ipToSet = Optional.empty();
        String declared = spec.getClusterIP();
        boolean wantsIp = !type.equals("ExternalName") && !"None".equals(declared);
        if (wantsIp) {
            Long held = ipOf.get(key);
            if (declared != null && !declared.isEmpty()) {
                long ip = LabServiceNetwork.toLong(declared);
                if (!clusterIps.reserve(ip, key)) {
                    conflicts.add("spec.clusterIP " + declared + " is held by Service "
                            + clusterIps.owner(ip).orElse("?"));
                } else {
                    if (held != null && held != ip) {
                        clusterIps.release(held, key);
                    }
                    ipOf.put(key, ip);
                }
            } else if (allocate || held != null) {
                long ip = held != null ? held : clusterIps.allocate(key);
                ipOf.put(key, ip);
                ipToSet = Optional.of(LabServiceNetwork.toDotted(ip));
            }
        } else {
            releaseIp(key);
        }

        Map<Integer, Integer> portsToSet = new TreeMap<>();
        Map<String, Long> before = nodePortsOf.getOrDefault(key, Map.of());
        Map<String, Long> after = new HashMap<>();
        boolean wantsNodePorts = type.equals("NodePort")
                || type.equals("LoadBalancer") && !Boolean.FALSE.equals(spec.getAllocateLoadBalancerNodePorts());
        List<ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
        if (wantsNodePorts) {
            for (int i = 0; i < ports.size(); i++) {
                ServicePort port = ports.get(i);
                String id = (port.getProtocol() == null ? "TCP" : port.getProtocol()) + "/" + port.getPort();
                Integer set = port.getNodePort();
                if (set != null && set != 0) {
                    if (nodePorts.reserve(set, key)) {
                        after.put(id, (long) set);
                    } else {
                        conflicts.add("spec.ports[" + i + "].nodePort " + set + " is held by Service "
                                + nodePorts.owner(set).orElse("?"));
                    }
                } else if (allocate || before.containsKey(id)) {
                    Long kept = before.get(id);
                    long value = kept != null && !after.containsValue(kept) ? kept : nodePorts.allocate(key);
                    after.put(id, value);
                    portsToSet.put(i, (int) value);
                }
            }
        }
        for (Long old : before.values()) {
            if (!after.containsValue(old)) {
                nodePorts.release(old, key);
            }
        }
        if (after.isEmpty()) {
            nodePortsOf.remove(key);
        } else {
            nodePortsOf.put(key, after);
        }
        return new Assignment(ipToSet, portsToSet, conflicts);
    }

    /** The Service is gone: frees everything it held. */
    void release(String key) {
        releaseIp(key);
        Map<String, Long> held = nodePortsOf.remove(key);
        if (held != null) {
            held.values().forEach(p -> nodePorts.release(p, key));
        }
    }

    private void releaseIp(String key) {
        Long ip = ipOf.remove(key);
        if (ip != null) {
            clusterIps.release(ip, key);
        }
    }

    int clusterIpsInUse() {
        return clusterIps.inUse();
    }

    int nodePortsInUse() {
        return nodePorts.inUse();
    }
}
