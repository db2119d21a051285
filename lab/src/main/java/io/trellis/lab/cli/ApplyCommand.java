package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.Lab;
import io.trellis.lab.LabException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "apply", description = "Create or update the objects of a YAML/JSON manifest.")
final class ApplyCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Option(names = "-f", required = true, paramLabel = "FILE", description = "The manifest.")
    Path file;

    @Option(names = "--wait", description = "Wait until the manifest's pods run with an IP.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait with --wait (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        Lab lab = parent.lab();
        try (KubernetesClient client = lab.client()) {
            List<HasMetadata> items = Manifests.load(client, file);
            List<String> missing = new ArrayList<>();
            Set<String> declared = new java.util.HashSet<>();
            items.stream().filter(i -> i.getKind().equals("Namespace")).forEach(i -> declared.add(i.getMetadata().getName()));
            for (HasMetadata item : items) {
                String ns = item.getMetadata().getNamespace();
                if (Manifests.namespaced(item) && !declared.contains(ns)
                        && client.namespaces().withName(ns).get() == null) {
                    missing.add(Manifests.describe(item) + ": namespace '" + ns + "' not found");
                }
            }
            if (!missing.isEmpty()) {
                throw new LabException(2, "invalid objects, nothing applied:\n  - " + String.join("\n  - ", missing));
            }
            List<Pod> pods = new ArrayList<>();
            for (HasMetadata item : items) {
                HasMetadata existing = client.resource(item).get();
                if (existing == null) {
                    client.resource(item).create();
                    System.out.println(Manifests.describe(item) + " created");
                } else if (item instanceof Pod) {
                    // A Pod's spec is immutable, and an update would also overwrite its status in the stand-in.
                    System.out.println(Manifests.describe(item) + " unchanged");
                } else {
                    if (item instanceof Service service && existing instanceof Service before) {
                        keepAllocatedValues(service, before);
                    }
                    item.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                    client.resource(item).update();
                    System.out.println(Manifests.describe(item) + " configured");
                }
                if (item instanceof Pod pod) {
                    pods.add(pod);
                }
            }
            if (await && !pods.isEmpty()) {
                PodWaits.awaitRunning(client, pods, Duration.ofSeconds(timeoutSeconds));
            }
        }
        return 0;
    }

    /**
     * What the API server does on a Service update that leaves out allocated values (a manifest applied
     * again): the cluster IP(s) and the node ports of ports that remain (same port and protocol) are kept.
     */
    static void keepAllocatedValues(Service service, Service before) {
        var spec = service.getSpec();
        var old = before.getSpec();
        if (spec == null || old == null) {
            return;
        }
        if ((spec.getClusterIP() == null || spec.getClusterIP().isEmpty()) && old.getClusterIP() != null
                && !"None".equals(old.getClusterIP())) {
            spec.setClusterIP(old.getClusterIP());
            spec.setClusterIPs(old.getClusterIPs());
            spec.setIpFamilies(old.getIpFamilies());
            spec.setIpFamilyPolicy(old.getIpFamilyPolicy());
        }
        boolean hasNodePorts = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType());
        if (!hasNodePorts || spec.getPorts() == null || old.getPorts() == null) {
            return;
        }
        for (var port : spec.getPorts()) {
            if (port.getNodePort() != null && port.getNodePort() != 0) {
                continue;
            }
            old.getPorts().stream()
                    .filter(o -> java.util.Objects.equals(o.getPort(), port.getPort())
                            && java.util.Objects.equals(protocol(o.getProtocol()), protocol(port.getProtocol())))
                    .map(io.fabric8.kubernetes.api.model.ServicePort::getNodePort)
                    .filter(java.util.Objects::nonNull).findFirst().ifPresent(port::setNodePort);
        }
    }

    private static String protocol(String p) {
        return p == null ? "TCP" : p;
    }
}
