package io.trellis.controller.networkpolicy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.spi.model.Protocol;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A brute-force NetworkPolicy evaluator written straight from the Kubernetes API reference
 * (networking.k8s.io/v1 NetworkPolicySpec), over the raw fabric8 objects: no code shared with the
 * computation, the parser or the agent-view evaluator. Slow on purpose: it re-reads everything for
 * every question.
 */
final class SpecEvaluator {
    private final Map<String, NamespaceInfo> namespaces;
    private final List<NetworkPolicy> policies;

    SpecEvaluator(Map<String, NamespaceInfo> namespaces, List<NetworkPolicy> policies) {
        this.namespaces = namespaces;
        this.policies = policies;
    }

    /** Is a connection from {@code source} to {@code destination} on {@code protocol}/{@code port} allowed? */
    boolean allowed(Endpoint source, Endpoint destination, Protocol protocol, int port) {
        if (destination.pod() != null && !direction(destination.pod(), source, destination, "Ingress", protocol, port)) {
            return false;
        }
        return source.pod() == null || direction(source.pod(), destination, destination, "Egress", protocol, port);
    }

    /**
     * The answer of the policies selecting {@code subject} for {@code type}: true if none does
     * (not isolated), else whether one of their rules of that type admits {@code peer}.
     */
    private boolean direction(PodInfo subject, Endpoint peer, Endpoint destination, String type, Protocol protocol,
            int port) {
        boolean isolated = false;
        for (NetworkPolicy policy : policies) {
            if (!policy.getMetadata().getNamespace().equals(subject.pod().namespace())) {
                continue;
            }
            if (!selectorMatches(policy.getSpec().getPodSelector(), subject.labels(), true)) {
                continue;
            }
            if (!types(policy).contains(type)) {
                continue;
            }
            isolated = true;
            List<List<NetworkPolicyPeer>> peerLists = new ArrayList<>();
            List<List<NetworkPolicyPort>> portLists = new ArrayList<>();
            if (type.equals("Ingress")) {
                orEmpty(policy.getSpec().getIngress()).forEach(r -> {
                    peerLists.add(orEmpty(r.getFrom()));
                    portLists.add(orEmpty(r.getPorts()));
                });
            } else {
                orEmpty(policy.getSpec().getEgress()).forEach(r -> {
                    peerLists.add(orEmpty(r.getTo()));
                    portLists.add(orEmpty(r.getPorts()));
                });
            }
            for (int i = 0; i < peerLists.size(); i++) {
                PeerMatch match = peersAdmit(peerLists.get(i), policy.getMetadata().getNamespace(), peer);
                // Named ports: always on the target for ingress; for egress only when the destination
                // matched as a pod (selector or no peers at all), not by ipBlock alone (the contract).
                boolean namedPorts = type.equals("Ingress") || match == PeerMatch.AS_POD;
                if (match != PeerMatch.NONE && portsAdmit(portLists.get(i), destination, protocol, port, namedPorts)) {
                    return true;
                }
            }
        }
        return !isolated;
    }

    /** policyTypes, or the documented default: Ingress, plus Egress when the policy has egress rules. */
    private static List<String> types(NetworkPolicy policy) {
        List<String> listed = policy.getSpec().getPolicyTypes();
        if (listed != null && !listed.isEmpty()) {
            return listed;
        }
        List<String> types = new ArrayList<>(List.of("Ingress"));
        if (policy.getSpec().getEgress() != null && !policy.getSpec().getEgress().isEmpty()) {
            types.add("Egress");
        }
        return types;
    }

    private enum PeerMatch { NONE, BY_ADDRESS, AS_POD }

    /** "If this field is empty or missing, this rule matches all sources/destinations"; else any peer. */
    private PeerMatch peersAdmit(List<NetworkPolicyPeer> peers, String policyNamespace, Endpoint endpoint) {
        if (peers.isEmpty()) {
            return endpoint.pod() == null ? PeerMatch.BY_ADDRESS : PeerMatch.AS_POD;
        }
        PeerMatch best = PeerMatch.NONE;
        for (NetworkPolicyPeer peer : peers) {
            if (peer.getIpBlock() != null) {
                boolean inside = cidrContains(peer.getIpBlock().getCidr(), endpoint.ip());
                for (String except : orEmpty(peer.getIpBlock().getExcept())) {
                    inside &= !cidrContains(except, endpoint.ip());
                }
                if (inside && best == PeerMatch.NONE) {
                    best = PeerMatch.BY_ADDRESS;
                }
                continue;
            }
            PodInfo pod = endpoint.pod();
            if (pod == null) {
                continue;
            }
            boolean namespaceOk;
            if (peer.getNamespaceSelector() == null) {
                namespaceOk = pod.pod().namespace().equals(policyNamespace);
            } else {
                NamespaceInfo ns = namespaces.get(pod.pod().namespace());
                namespaceOk = ns != null && selectorMatches(peer.getNamespaceSelector(), ns.labels(), true);
            }
            boolean podOk = peer.getPodSelector() == null || selectorMatches(peer.getPodSelector(), pod.labels(), true);
            if (namespaceOk && podOk) {
                return PeerMatch.AS_POD;
            }
        }
        return best;
    }

    /** Empty ports: all; each entry: protocol (default TCP), port number, range, or name on the destination pod. */
    private static boolean portsAdmit(List<NetworkPolicyPort> ports, Endpoint destination, Protocol protocol, int port,
            boolean namedPorts) {
        if (ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort entry : ports) {
            String entryProtocol = entry.getProtocol() == null ? "TCP" : entry.getProtocol();
            if (!entryProtocol.equals(protocol.name())) {
                continue;
            }
            IntOrString value = entry.getPort();
            if (value == null || value.getIntVal() == null && value.getStrVal() == null) {
                return true;
            }
            if (value.getIntVal() != null) {
                int low = value.getIntVal();
                int high = entry.getEndPort() == null ? low : entry.getEndPort();
                if (port >= low && port <= high) {
                    return true;
                }
                continue;
            }
            if (namedPorts && destination.pod() != null) {
                for (NamedPort named : destination.pod().ports()) {
                    if (named.name().equals(value.getStrVal()) && named.protocol() == protocol && named.port() == port) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** matchLabels AND matchExpressions; null selector: {@code nullMatches}. */
    private static boolean selectorMatches(LabelSelector selector, Map<String, String> labels, boolean nullMatches) {
        if (selector == null) {
            return nullMatches;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!labels.containsKey(e.getKey()) || !labels.get(e.getKey()).equals(e.getValue())) {
                    return false;
                }
            }
        }
        for (LabelSelectorRequirement r : orEmpty(selector.getMatchExpressions())) {
            boolean has = labels.containsKey(r.getKey());
            boolean holds = switch (r.getOperator()) {
                case "In" -> has && r.getValues().contains(labels.get(r.getKey()));
                case "NotIn" -> !has || !r.getValues().contains(labels.get(r.getKey()));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> throw new IllegalArgumentException("operator " + r.getOperator());
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private final Map<String, byte[]> parsedNetworks = new java.util.HashMap<>();

    private boolean cidrContains(String cidr, InetAddress address) {
        String[] parts = cidr.split("/");
        try {
            byte[] network = parsedNetworks.get(parts[0]);
            if (network == null) {
                network = InetAddress.getByName(parts[0]).getAddress();
                parsedNetworks.put(parts[0], network);
            }
            byte[] candidate = address.getAddress();
            if (network.length != candidate.length) {
                return false;
            }
            int bits = network.length * 8;
            int length = Integer.parseInt(parts[1]);
            BigInteger n = new BigInteger(1, network).shiftRight(bits - length);
            BigInteger c = new BigInteger(1, candidate).shiftRight(bits - length);
            return n.equals(c);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(cidr, e);
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
