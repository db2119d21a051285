package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a manifest file and checks its objects the way an API server's validation would, naming the field. */
final class Manifests {
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "CustomResourceDefinition",
            "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private Manifests() {
    }

    /** The file's objects, namespaced ones defaulted to "default", Namespaces first; every problem in one error. */
    static List<HasMetadata> load(KubernetesClient client, Path file) {
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(file)) {
            items = new ArrayList<>(client.load(in).items());
        } catch (NoSuchFileException e) {
            throw new LabException(2, "no such file: " + file);
        } catch (IOException e) {
            throw new LabException(2, "cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new LabException(2, file + ": not a valid manifest: " + rootMessage(e));
        }
        items.removeIf(java.util.Objects::isNull);
        if (items.isEmpty()) {
            throw new LabException(2, file + ": no objects in it");
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            validate(items.get(i), file + " object " + (i + 1), problems);
        }
        if (!problems.isEmpty()) {
            throw new LabException(2, "invalid objects, nothing applied:\n  - " + String.join("\n  - ", problems));
        }
        items.sort(Comparator.comparing(item -> item.getKind().equals("Namespace") ? 0 : 1));
        return items;
    }

    static boolean namespaced(HasMetadata item) {
        return !CLUSTER_SCOPED.contains(item.getKind());
    }

    static String describe(HasMetadata item) {
        return item.getKind().toLowerCase(java.util.Locale.ROOT) + "/"
                + (namespaced(item) ? item.getMetadata().getNamespace() + "/" : "") + item.getMetadata().getName();
    }

    private static void validate(HasMetadata item, String where, List<String> problems) {
        if (item.getApiVersion() == null || item.getApiVersion().isBlank()) {
            problems.add(where + ": apiVersion is missing");
        }
        if (item.getKind() == null || item.getKind().isBlank()) {
            problems.add(where + ": kind is missing");
            return;
        }
        if (item.getMetadata() == null || item.getMetadata().getName() == null
                || item.getMetadata().getName().isBlank()) {
            problems.add(where + " (" + item.getKind() + "): metadata.name is missing");
            return;
        }
        String name = item.getMetadata().getName();
        where = where + " (" + item.getKind() + " " + name + ")";
        Pattern namePattern = item.getKind().equals("Namespace") ? DNS_LABEL : DNS_SUBDOMAIN;
        if (!namePattern.matcher(name).matches()) {
            problems.add(where + ": metadata.name '" + name + "' is not a valid DNS-1123 "
                    + (namePattern == DNS_LABEL ? "label" : "subdomain"));
        }
        if (namespaced(item)) {
            if (item.getMetadata().getNamespace() == null || item.getMetadata().getNamespace().isBlank()) {
                item.getMetadata().setNamespace("default");
            } else if (!DNS_LABEL.matcher(item.getMetadata().getNamespace()).matches()) {
                problems.add(where + ": metadata.namespace '" + item.getMetadata().getNamespace()
                        + "' is not a valid DNS-1123 label");
            }
        }
        if (item instanceof Pod pod) {
            validatePod(pod, where, problems);
        }
    }

    private static void validatePod(Pod pod, String where, List<String> problems) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()) {
            problems.add(where + ": spec.containers must list at least one container");
            return;
        }
        List<Container> containers = pod.getSpec().getContainers();
        for (int c = 0; c < containers.size(); c++) {
            Container container = containers.get(c);
            if (container.getName() == null || container.getName().isBlank()) {
                problems.add(where + ": spec.containers[" + c + "].name is missing");
            }
            List<ContainerPort> ports = container.getPorts() == null ? List.of() : container.getPorts();
            for (int p = 0; p < ports.size(); p++) {
                Integer port = ports.get(p).getContainerPort();
                if (port == null || port < 1 || port > 65535) {
                    problems.add(where + ": spec.containers[" + c + "].ports[" + p + "].containerPort " + port
                            + " is not a port number (1-65535)");
                }
                String protocol = ports.get(p).getProtocol();
                if (protocol != null && !Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
                    problems.add(where + ": spec.containers[" + c + "].ports[" + p + "].protocol '" + protocol
                            + "' is not one of TCP, UDP, SCTP");
                }
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage().lines().findFirst().orElse("");
    }
}
