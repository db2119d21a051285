package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
