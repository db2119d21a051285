package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "get", description = "List objects of a kind: pods, nodes, namespaces, services, endpointslices, "
        + "networkpolicies, configmaps.")
final class GetCommand implements Callable<Integer> {
    /** Other kinds, listed generically: alias → {apiVersion, kind}. */
    private static final Map<String, String[]> GENERIC = Map.of(
            "services", new String[] {"v1", "Service"},
            "endpointslices", new String[] {"discovery.k8s.io/v1", "EndpointSlice"},
            "networkpolicies", new String[] {"networking.k8s.io/v1", "NetworkPolicy"},
            "configmaps", new String[] {"v1", "ConfigMap"});
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("pod", "pods"), Map.entry("po", "pods"), Map.entry("node", "nodes"), Map.entry("no", "nodes"),
            Map.entry("namespace", "namespaces"), Map.entry("ns", "namespaces"), Map.entry("service", "services"),
            Map.entry("svc", "services"), Map.entry("endpointslice", "endpointslices"),
            Map.entry("networkpolicy", "networkpolicies"), Map.entry("netpol", "networkpolicies"),
            Map.entry("configmap", "configmaps"), Map.entry("cm", "configmaps"));

    @ParentCommand
    LabCli parent;

    @Parameters(index = "0", paramLabel = "KIND")
    String kind;

    @Override
    public Integer call() {
        String normalized = kind.toLowerCase(Locale.ROOT);
        normalized = ALIASES.getOrDefault(normalized, normalized);
        if (!normalized.equals("pods") && !normalized.equals("nodes") && !normalized.equals("namespaces")
                && !GENERIC.containsKey(normalized)) {
            throw new LabException(2, "unknown kind '" + kind + "' (pods, nodes, namespaces, "
                    + String.join(", ", GENERIC.keySet().stream().sorted().toList()) + ")");
        }
        try (KubernetesClient client = parent.lab().client()) {
            List<List<String>> rows = new ArrayList<>();
            switch (normalized) {
                case "pods" -> {
                    rows.add(List.of("NAMESPACE", "NAME", "NODE", "IP", "STATUS"));
                    client.pods().inAnyNamespace().list().getItems().stream()
                            .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
                                    .thenComparing(p -> p.getMetadata().getName()))
                            .forEach(p -> rows.add(List.of(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                                    orDash(p.getSpec() == null ? null : p.getSpec().getNodeName()),
                                    orDash(p.getStatus() == null ? null : p.getStatus().getPodIP()),
                                    p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending"
                                            : p.getStatus().getPhase())));
                }
                case "nodes" -> {
                    rows.add(List.of("NAME", "POD-CIDR", "INTERNAL-IP"));
                    client.nodes().list().getItems().stream().sorted(Comparator.comparing(n -> n.getMetadata().getName()))
                            .forEach(n -> rows.add(List.of(n.getMetadata().getName(),
                                    orDash(n.getSpec() == null ? null : n.getSpec().getPodCIDR()), internalIp(n))));
                }
                case "namespaces" -> {
                    rows.add(List.of("NAME"));
                    client.namespaces().list().getItems().stream().map(n -> n.getMetadata().getName()).sorted()
                            .forEach(n -> rows.add(List.of(n)));
                }
                case "services" -> {
                    rows.add(List.of("NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "PORT(S)", "SELECTOR"));
                    client.services().inAnyNamespace().list().getItems().stream()
                            .sorted(Comparator.comparing((Service s) -> s.getMetadata().getNamespace())
                                    .thenComparing(s -> s.getMetadata().getName()))
                            .forEach(s -> rows.add(serviceRow(s)));
                }
                case "endpointslices" -> {
                    rows.add(List.of("NAMESPACE", "NAME", "SERVICE", "ADDRESSTYPE", "PORTS", "ENDPOINTS"));
                    client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems().stream()
                            .sorted(Comparator.comparing((EndpointSlice s) -> s.getMetadata().getNamespace())
                                    .thenComparing(s -> s.getMetadata().getName()))
                            .forEach(s -> rows.add(sliceRow(s)));
                }
                default -> {
                    String[] type = GENERIC.get(normalized);
                    rows.add(List.of("NAMESPACE", "NAME"));
                    client.genericKubernetesResources(type[0], type[1]).inAnyNamespace().list().getItems().stream()
                            .sorted(Comparator.comparing((GenericKubernetesResource r) -> orDash(r.getMetadata().getNamespace()))
                                    .thenComparing(r -> r.getMetadata().getName()))
                            .forEach(r -> rows.add(List.of(orDash(r.getMetadata().getNamespace()), r.getMetadata().getName())));
                }
            }
            if (rows.size() == 1) {
                System.out.println("No " + normalized + " found.");
            } else {
                System.out.print(Table.format(rows));
            }
        }
        return 0;
    }

    /** Like kubectl: {@code 80/TCP}, {@code 80:30080/TCP} with a node port; the selector as k=v,... */
    private static List<String> serviceRow(Service s) {
        var spec = s.getSpec();
        String ports = spec == null || spec.getPorts() == null ? "" : spec.getPorts().stream()
                .map(p -> p.getPort() + (p.getNodePort() == null || p.getNodePort() == 0 ? "" : ":" + p.getNodePort())
                        + "/" + (p.getProtocol() == null ? "TCP" : p.getProtocol()))
                .collect(Collectors.joining(","));
        String selector = spec == null || spec.getSelector() == null ? "" : new TreeMap<>(spec.getSelector()).entrySet()
                .stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        return List.of(s.getMetadata().getNamespace(), s.getMetadata().getName(),
                orDash(spec == null ? null : spec.getType() == null ? "ClusterIP" : spec.getType()),
                orDash(spec == null ? null : spec.getClusterIP()), orDash(ports), orDash(selector));
    }

    /** Every endpoint's address (not cut short as kubectl does), {@code (not ready)} / {@code (terminating)} marked. */
    private static List<String> sliceRow(EndpointSlice s) {
        String ports = s.getPorts() == null ? "" : s.getPorts().stream()
                .map(p -> (p.getName() == null || p.getName().isEmpty() ? "" : p.getName() + ":") + p.getPort() + "/"
                        + (p.getProtocol() == null ? "TCP" : p.getProtocol()))
                .collect(Collectors.joining(","));
        String endpoints = s.getEndpoints() == null ? "" : s.getEndpoints().stream()
                .map(e -> String.join("|", e.getAddresses() == null ? List.of() : e.getAddresses()) + condition(e))
                .collect(Collectors.joining(","));
        Map<String, String> labels = s.getMetadata().getLabels();
        return List.of(s.getMetadata().getNamespace(), s.getMetadata().getName(),
                orDash(labels == null ? null : labels.get("kubernetes.io/service-name")), orDash(s.getAddressType()),
                orDash(ports), orDash(endpoints));
    }

    private static String condition(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e) {
        var c = e.getConditions();
        if (c != null && Boolean.TRUE.equals(c.getTerminating())) {
            return "(terminating)";
        }
        return c == null || c.getReady() == null || c.getReady() ? "" : "(not ready)";
    }

    private static String internalIp(Node node) {
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return "-";
        }
        return node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress).findFirst().orElse("-");
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
