package io.trellis.controller.networkpolicy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * A small random cluster (namespaces, nodes, pods, NetworkPolicies using every feature) and random
 * changes to it, from one seed. Pod IPs are unique and come from 10.0.0.0/16, so ipBlocks can
 * cover and except pods; 192.168.7.7 and 10.0.200.7 are outside addresses.
 */
final class RandomCluster {
    static final List<Integer> PROBE_PORTS = List.of(53, 80, 81, 8080, 9000);
    static final List<InetAddress> EXTERNAL = List.of(address("192.168.7.7"), address("10.0.200.7"));

    sealed interface Mutation {
    }

    record PutNamespace(NamespaceInfo namespace) implements Mutation {
    }

    record PutPod(PodInfo pod) implements Mutation {
    }

    record DeletePod(PodRef pod) implements Mutation {
    }

    record PutPolicy(NetworkPolicy policy) implements Mutation {
    }

    record DeletePolicy(String namespace, String name) implements Mutation {
    }

    private final Random random;
    private final List<String> nodes = new ArrayList<>();
    final Map<String, NamespaceInfo> namespaces = new TreeMap<>();
    final Map<PodRef, PodInfo> pods = new LinkedHashMap<>();
    final Map<String, NetworkPolicy> policies = new TreeMap<>();
    private int nextIp = 1;
    private int nextPod;
    private int nextPolicy;
    private int nextUid;

    RandomCluster(long seed) {
        random = new Random(seed);
        int nodeCount = 1 + random.nextInt(3);
        for (int i = 0; i < nodeCount; i++) {
            nodes.add("node" + i);
        }
        int namespaceCount = 2 + random.nextInt(3);
        for (int i = 0; i < namespaceCount; i++) {
            apply(new PutNamespace(namespace("ns" + i)));
        }
        int podCount = 3 + random.nextInt(7);
        for (int i = 0; i < podCount; i++) {
            apply(new PutPod(newPod()));
        }
        int policyCount = 1 + random.nextInt(5);
        for (int i = 0; i < policyCount; i++) {
            apply(new PutPolicy(newPolicy()));
        }
    }

    List<Mutation> initialObjects() {
        List<Mutation> all = new ArrayList<>();
        namespaces.values().forEach(n -> all.add(new PutNamespace(n)));
        pods.values().forEach(p -> all.add(new PutPod(p)));
        policies.values().forEach(p -> all.add(new PutPolicy(p)));
        return all;
    }

    /** A random change, already applied to this cluster. */
    Mutation mutate() {
        List<PodInfo> podList = List.copyOf(pods.values());
        List<NetworkPolicy> policyList = List.copyOf(policies.values());
        Mutation m;
        int kind = random.nextInt(11);
        if (podList.isEmpty() && kind < 6) {
            kind = 3;
        }
        if (policyList.isEmpty() && (kind == 7 || kind == 8)) {
            kind = 9;
        }
        switch (kind) {
            case 0 -> {
                PodInfo p = pick(podList);
                m = new PutPod(new PodInfo(p.pod(), podLabels(), p.node(), p.ips(), p.phase(), p.ports()));
            }
            case 1 -> {
                // Moved: the pod re-created on another node with another IP (or not scheduled / no IP yet).
                PodInfo p = pick(podList);
                m = new PutPod(new PodInfo(p.pod(), p.labels(), randomNode(), randomIps(), PodPhase.RUNNING, p.ports()));
            }
            case 2 -> m = new DeletePod(pick(podList).pod());
            case 3 -> m = new PutPod(newPod());
            case 4 -> {
                PodInfo p = pick(podList);
                PodPhase phase = random.nextBoolean() ? PodPhase.SUCCEEDED : PodPhase.FAILED;
                m = new PutPod(new PodInfo(p.pod(), p.labels(), p.node(), p.ips(), phase, p.ports()));
            }
            case 5 -> {
                PodInfo p = pick(podList);
                m = new PutPod(new PodInfo(p.pod(), p.labels(), p.node(), p.ips(), p.phase(), namedPorts()));
            }
            case 6 -> m = new PutNamespace(namespace(pick(List.copyOf(namespaces.keySet()))));
            case 7 -> {
                NetworkPolicy old = pick(policyList);
                NetworkPolicy edited = newPolicy(old.getMetadata().getNamespace(), old.getMetadata().getName(),
                        random.nextInt(4) == 0 ? "uid-" + nextUid++ : old.getMetadata().getUid());
                m = new PutPolicy(edited);
            }
            case 8 -> {
                NetworkPolicy old = pick(policyList);
                m = new DeletePolicy(old.getMetadata().getNamespace(), old.getMetadata().getName());
            }
            case 9 -> m = new PutPolicy(newPolicy());
            default -> m = new PutNamespace(namespace("ns" + namespaces.size()));
        }
        apply(m);
        return m;
    }

    private void apply(Mutation m) {
        if (m instanceof PutNamespace n) {
            namespaces.put(n.namespace().name(), n.namespace());
        } else if (m instanceof PutPod p) {
            pods.put(p.pod().pod(), p.pod());
        } else if (m instanceof DeletePod d) {
            pods.remove(d.pod());
        } else if (m instanceof PutPolicy p) {
            policies.put(p.policy().getMetadata().getNamespace() + "/" + p.policy().getMetadata().getName(), p.policy());
        } else if (m instanceof DeletePolicy d) {
            policies.remove(d.namespace() + "/" + d.name());
        }
    }

    /** The pods that can send and receive: scheduled, with an address, not terminated. */
    List<PodInfo> livePods() {
        return pods.values().stream().filter(p -> p.node().isPresent() && !p.ips().isEmpty()
                && p.phase() != PodPhase.SUCCEEDED && p.phase() != PodPhase.FAILED).toList();
    }

    private NamespaceInfo namespace(String name) {
        Map<String, String> labels = randomLabels(List.of("team", "env"));
        labels.put("kubernetes.io/metadata.name", name);
        return new NamespaceInfo(name, labels);
    }

    private PodInfo newPod() {
        String ns = pick(List.copyOf(namespaces.keySet()));
        PodPhase phase = random.nextInt(12) == 0 ? PodPhase.PENDING : PodPhase.RUNNING;
        return new PodInfo(new PodRef(ns, "pod" + nextPod++), podLabels(), randomNode(), randomIps(), phase, namedPorts());
    }

    private Map<String, String> podLabels() {
        return randomLabels(List.of("app", "role", "tier"));
    }

    private Map<String, String> randomLabels(List<String> keys) {
        Map<String, String> labels = new HashMap<>();
        for (String key : keys) {
            if (random.nextInt(3) > 0) {
                labels.put(key, pick(List.of("a", "b", "c")));
            }
        }
        return labels;
    }

    private Optional<String> randomNode() {
        return random.nextInt(10) == 0 ? Optional.empty() : Optional.of(pick(nodes));
    }

    private List<InetAddress> randomIps() {
        if (random.nextInt(10) == 0) {
            return List.of();
        }
        int n = nextIp++;
        // Spread over 10.0.0.x and 10.0.1.x so that ipBlock except 10.0.1.0/24 splits the pods.
        return List.of(address("10.0." + (n % 2) + "." + n));
    }

    private List<NamedPort> namedPorts() {
        List<NamedPort> ports = new ArrayList<>();
        if (random.nextBoolean()) {
            ports.add(new NamedPort("web", Protocol.TCP, pick(List.of(80, 81, 8080))));
        }
        if (random.nextBoolean()) {
            ports.add(new NamedPort("dns", Protocol.UDP, 53));
        }
        if (random.nextInt(3) == 0) {
            ports.add(new NamedPort("assoc", Protocol.SCTP, 9000));
        }
        if (random.nextInt(4) == 0) {
            // The same name for a UDP port: a named policy port with protocol UDP picks this one.
            ports.add(new NamedPort("web", Protocol.UDP, pick(List.of(80, 53))));
        }
        return ports;
    }

    private NetworkPolicy newPolicy() {
        return newPolicy(pick(List.copyOf(namespaces.keySet())), "policy" + nextPolicy++, "uid-" + nextUid++);
    }

    private NetworkPolicy newPolicy(String namespace, String name, String uid) {
        NetworkPolicySpec spec = new NetworkPolicySpec();
        spec.setPodSelector(selector(List.of("app", "role", "tier")));
        List<NetworkPolicyIngressRule> ingress = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            NetworkPolicyIngressRule rule = new NetworkPolicyIngressRule();
            rule.setFrom(peers());
            rule.setPorts(ports());
            ingress.add(rule);
        }
        List<NetworkPolicyEgressRule> egress = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            NetworkPolicyEgressRule rule = new NetworkPolicyEgressRule();
            rule.setTo(peers());
            rule.setPorts(ports());
            egress.add(rule);
        }
        spec.setIngress(ingress.isEmpty() && random.nextBoolean() ? null : ingress);
        spec.setEgress(egress.isEmpty() && random.nextBoolean() ? null : egress);
        spec.setPolicyTypes(switch (random.nextInt(5)) {
            case 0 -> List.of("Ingress");
            case 1 -> List.of("Egress");
            case 2 -> List.of("Ingress", "Egress");
            case 3 -> List.of();
            default -> null;
        });
        NetworkPolicy policy = new NetworkPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(uid).build());
        policy.setSpec(spec);
        return policy;
    }

    private List<NetworkPolicyPeer> peers() {
        int n = random.nextInt(4);
        if (n == 0) {
            return random.nextBoolean() ? null : new ArrayList<>();
        }
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NetworkPolicyPeer peer = new NetworkPolicyPeer();
            switch (random.nextInt(4)) {
                case 0 -> peer.setPodSelector(selector(List.of("app", "role", "tier")));
                case 1 -> peer.setNamespaceSelector(selector(List.of("team", "env", "kubernetes.io/metadata.name")));
                case 2 -> {
                    peer.setPodSelector(selector(List.of("app", "role", "tier")));
                    peer.setNamespaceSelector(selector(List.of("team", "env", "kubernetes.io/metadata.name")));
                }
                default -> peer.setIpBlock(ipBlock());
            }
            peers.add(peer);
        }
        return peers;
    }

    private IPBlock ipBlock() {
        IPBlock block = new IPBlock();
        switch (random.nextInt(5)) {
            case 0 -> block.setCidr("10.0.0.0/16");
            case 1 -> {
                block.setCidr("10.0.0.0/16");
                block.setExcept(new ArrayList<>(List.of("10.0.1.0/24")));
            }
            case 2 -> {
                // Host bits set, as users write it: 10.0.0.0/23 after masking.
                block.setCidr("10.0.1.9/23");
                block.setExcept(new ArrayList<>(List.of("10.0.0." + (1 + random.nextInt(20)) + "/32")));
            }
            case 3 -> block.setCidr("192.168.0.0/16");
            default -> block.setCidr("0.0.0.0/0");
        }
        return block;
    }

    private List<NetworkPolicyPort> ports() {
        int n = random.nextInt(4);
        if (n == 0) {
            return random.nextBoolean() ? null : new ArrayList<>();
        }
        List<NetworkPolicyPort> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NetworkPolicyPort port = new NetworkPolicyPort();
            port.setProtocol(pick(java.util.Arrays.asList(null, "TCP", "UDP", "SCTP")));
            switch (random.nextInt(5)) {
                case 0 -> { }
                case 1 -> port.setPort(new IntOrString(pick(PROBE_PORTS)));
                case 2 -> port.setPort(new IntOrString(pick(List.of("web", "dns", "assoc", "absent"))));
                default -> {
                    int low = pick(List.of(53, 80, 81));
                    port.setPort(new IntOrString(low));
                    port.setEndPort(low + pick(List.of(0, 1, 100, 9000)));
                }
            }
            ports.add(port);
        }
        return ports;
    }

    private LabelSelector selector(List<String> keys) {
        LabelSelector selector = new LabelSelector();
        if (random.nextInt(3) == 0) {
            return selector;
        }
        if (random.nextBoolean()) {
            String key = pick(keys);
            String value = key.equals("kubernetes.io/metadata.name") ? pick(List.copyOf(namespaces.keySet()))
                    : pick(List.of("a", "b", "c"));
            selector.setMatchLabels(new HashMap<>(Map.of(key, value)));
        }
        List<LabelSelectorRequirement> expressions = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            String operator = pick(List.of("In", "NotIn", "Exists", "DoesNotExist"));
            List<String> values = operator.equals("In") || operator.equals("NotIn")
                    ? new ArrayList<>(List.of("a", "b", "c").subList(0, 1 + random.nextInt(2)))
                    : new ArrayList<>();
            if (values.size() == 2 && random.nextBoolean()) {
                java.util.Collections.reverse(values);
            }
            expressions.add(new LabelSelectorRequirement(pick(keys), operator, values));
        }
        selector.setMatchExpressions(expressions);
        return selector;
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
