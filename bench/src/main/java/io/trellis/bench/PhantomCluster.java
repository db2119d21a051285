package io.trellis.bench;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cluster of policy-label-latency: a few real pods on the lab's node-1 in namespace {@link #NAMESPACE}
 * (created through the lab, so they have a network namespace and a port on the bridge), and "phantom" pods
 * written straight to the API stand-in, bound to nodes that are no lab nodes (the lab kubelet only runs pods
 * of its own nodes), Running with an address from {@link #PHANTOM_NET} (outside the lab's pod, Service and
 * underlay ranges), all labelled {@code role=client}, spread over {@link #NAMESPACES} namespaces with one
 * policy each (ingress from the same namespace; it applies to no pod of node-1).
 *
 * <p>Node-1 receives two policies of {@link #NAMESPACE} (written through the API by the benchmark): {@code t} (pods with {@code bench-target=on},
 * ingress from {@code role=client} pods of every namespace: every phantom address is a peer flow on node-1)
 * and {@code p} (pod {@code s}, ingress from pods with {@code bench-peer=on}).
 *
 * @param pods all pods, real ones included
 */
record PhantomCluster(int pods) {
    static final String NAMESPACE = "bench-policy";
    /** Toggled in and out of policy t's targets. */
    static final String APPLIED_TO_POD = "a";
    /** Toggled in and out of policy p's peers. */
    static final String PEER_POD = "b";
    /** Policy p's target. */
    static final String SERVER_POD = "s";
    /** Always one of policy t's targets: node-1 keeps t's rule and its address group while a toggles. */
    static final String ANCHOR_POD = "c";
    /** No label any policy selects: the client of the final connection checks. */
    static final String OUTSIDER_POD = "x";
    static final List<String> REAL_PODS = List.of(APPLIED_TO_POD, PEER_POD, SERVER_POD, ANCHOR_POD, OUTSIDER_POD);
    static final String REAL_NODE = "node-1";
    static final String TARGET_LABEL = "bench-target";
    static final String PEER_LABEL = "bench-peer";
    static final String ON = "on";
    static final int NAMESPACES = 100;
    static final int PHANTOM_NODES = 100;
    /** 10.201.0.0/16: the lab uses 10.244.0.0/16 (pods), 10.96.0.0/16 (Services), 10.250.0.0/24 (underlay). */
    static final String PHANTOM_NET = "10.201.0.0/16";
    /** Addresses .1 to .250 of each /24 of {@link #PHANTOM_NET}. */
    private static final int PER_OCTET = 250;
    static final int MAX_PHANTOMS = PER_OCTET * 256;

    PhantomCluster {
        if (pods <= REAL_PODS.size() || pods - REAL_PODS.size() > MAX_PHANTOMS) {
            throw new IllegalArgumentException("--pods takes " + (REAL_PODS.size() + 1) + " to "
                    + (MAX_PHANTOMS + REAL_PODS.size()) + " (" + REAL_PODS.size() + " real pods + phantoms in "
                    + PHANTOM_NET + "), got " + pods);
        }
    }

    int phantoms() {
        return pods - REAL_PODS.size();
    }

    /** Phantom namespaces plus the real pods' one. */
    int namespaces() {
        return NAMESPACES + 1;
    }

    /** One per phantom namespace, plus t and p. */
    int policies() {
        return NAMESPACES + 2;
    }

    static String namespace(int n) {
        if (n < 0 || n >= NAMESPACES) {
            throw new IllegalArgumentException("phantom namespace index " + n + " outside 0.." + (NAMESPACES - 1));
        }
        return String.format(Locale.ROOT, "bench-ph-%02d", n);
    }

    String podName(int i) {
        return "ph-" + checkPhantom(i);
    }

    /** Phantom i lives in namespace i mod 100, on node (i / 100) mod 100: each namespace spans every node. */
    String podNamespace(int i) {
        return namespace(checkPhantom(i) % NAMESPACES);
    }

    String node(int i) {
        return "bench-phantom-" + (checkPhantom(i) / NAMESPACES) % PHANTOM_NODES;
    }

    /** 10.201.(i / 250).(i mod 250 + 1): never a network or broadcast address of a /24. */
    String ip(int i) {
        checkPhantom(i);
        return "10.201." + i / PER_OCTET + "." + (i % PER_OCTET + 1);
    }

    static boolean isPhantomIp(String ip) {
        return ip.startsWith("10.201.");
    }

    private int checkPhantom(int i) {
        if (i < 0 || i >= phantoms()) {
            throw new IllegalArgumentException("phantom pod index " + i + " outside 0.." + (phantoms() - 1));
        }
        return i;
    }

    static Namespace phantomNamespace(int n) {
        return new NamespaceBuilder().withNewMetadata().withName(namespace(n)).endMetadata().build();
    }

    /** Ingress to every pod of the namespace from the namespace's pods. */
    static NetworkPolicy namespacePolicy(int n) {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(namespace(n)).withName("same-namespace")
                .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress")
                .addNewIngress().addNewFrom().withNewPodSelector().endPodSelector().endFrom().endIngress()
                .endSpec().build();
    }

    /** A scheduled, Running pod with its address, as a kubelet on its node would have reported it. */
    Pod phantomPod(int i) {
        String ip = ip(i);
        return new PodBuilder().withNewMetadata().withNamespace(podNamespace(i)).withName(podName(i))
                .withLabels(Map.of("role", "client", "app", podNamespace(i))).endMetadata()
                .withNewSpec().withNodeName(node(i)).addNewContainer().withName("workload")
                .withImage("trellis-lab/builtin").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().endStatus()
                .build();
    }

    /** The real pods' namespace and the real pods, pinned to node-1, applied through the lab. */
    static String realPodsManifest() {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                """.formatted(NAMESPACE));
        for (String pod : REAL_PODS) {
            String extra = pod.equals(ANCHOR_POD) ? "\n    " + TARGET_LABEL + ": \"" + ON + "\"" : "";
            yaml.append("""
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: %1$s
                      namespace: %2$s
                      labels:
                        bench-pod: %1$s%3$s
                    spec:
                      nodeName: %4$s
                      containers:
                      - name: workload
                        image: trellis-lab/builtin
                    """.formatted(pod, NAMESPACE, extra, REAL_NODE));
        }
        return yaml.toString();
    }

    /** Policy t: pods with bench-target=on, ingress from role=client pods of every namespace. */
    static NetworkPolicy policyT() {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(NAMESPACE).withName("t").endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(Map.of(TARGET_LABEL, ON)).endPodSelector()
                .withPolicyTypes("Ingress").addNewIngress().addNewFrom().withNewNamespaceSelector()
                .endNamespaceSelector().withNewPodSelector().withMatchLabels(Map.of("role", "client"))
                .endPodSelector().endFrom().endIngress().endSpec().build();
    }

    /** Policy p: pod s, ingress from pods of its namespace with bench-peer=on. */
    static NetworkPolicy policyP() {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(NAMESPACE).withName("p").endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(Map.of("bench-pod", SERVER_POD)).endPodSelector()
                .withPolicyTypes("Ingress").addNewIngress().addNewFrom().withNewPodSelector()
                .withMatchLabels(Map.of(PEER_LABEL, ON)).endPodSelector().endFrom().endIngress().endSpec().build();
    }
}
