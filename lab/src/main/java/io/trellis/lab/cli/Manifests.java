package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabException;
import io.trellis.lab.services.LabServiceNetwork;
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
    private static final List<String> SERVICE_TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
    /** IANA_SVC_NAME, what a named targetPort must be. */
    private static final Pattern PORT_NAME = Pattern.compile("(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?");
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
        } else if (item instanceof Service service) {
            validateService(service, where, problems);
        } else if (item instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy) {
            NetworkPolicyValidation.validate(policy, where, problems);
        }
    }

    /**
     * The API server's Service checks that matter to the lab's controllers and the proxy: type, cluster IP in
     * the service CIDR, ports (number, protocol, unique names, targetPort a number or a port name, nodePort in
     * the range and only where the type has node ports), session affinity and traffic policies.
     */
    private static void validateService(Service service, String where, List<String> problems) {
        ServiceSpec spec = service.getSpec();
        if (spec == null) {
            problems.add(where + ": spec is missing");
            return;
        }
        String type = spec.getType() == null || spec.getType().isEmpty() ? "ClusterIP" : spec.getType();
        if (!SERVICE_TYPES.contains(type)) {
            problems.add(where + ": spec.type '" + type + "' is not one of " + String.join(", ", SERVICE_TYPES));
            return;
        }
        if (type.equals("ExternalName")) {
            if (spec.getExternalName() == null || !DNS_SUBDOMAIN.matcher(spec.getExternalName()).matches()) {
                problems.add(where + ": spec.externalName '" + spec.getExternalName()
                        + "' must be a DNS name for type ExternalName");
            }
            return;
        }
        String clusterIp = spec.getClusterIP();
        boolean headless = "None".equals(clusterIp);
        if (headless && !type.equals("ClusterIP")) {
            problems.add(where + ": spec.clusterIP None (headless) needs type ClusterIP, not " + type);
        }
        if (clusterIp != null && !clusterIp.isEmpty() && !headless) {
            if (!LabServiceNetwork.isIpv4(clusterIp)) {
                problems.add(where + ": spec.clusterIP '" + clusterIp + "' is not an IPv4 address or None");
            } else if (!LabServiceNetwork.contains(clusterIp)) {
                problems.add(where + ": spec.clusterIP " + clusterIp + " is not in the lab's service CIDR "
                        + LabServiceNetwork.SERVICE_CIDR);
            }
        }
        if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() && clusterIp != null
                && !clusterIp.isEmpty() && !clusterIp.equals(spec.getClusterIPs().get(0))) {
            problems.add(where + ": spec.clusterIPs[0] " + spec.getClusterIPs().get(0) + " differs from spec.clusterIP "
                    + clusterIp);
        }
        List<ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
        if (ports.isEmpty() && !headless) {
            problems.add(where + ": spec.ports must list at least one port");
        }
        boolean hasNodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        Set<String> names = new java.util.HashSet<>();
        Set<String> numbers = new java.util.HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            String at = where + ": spec.ports[" + i + "]";
            if (ports.size() > 1 && (port.getName() == null || port.getName().isEmpty())) {
                problems.add(at + ".name is required when there are several ports");
            } else if (port.getName() != null && !port.getName().isEmpty()) {
                if (!DNS_LABEL.matcher(port.getName()).matches()) {
                    problems.add(at + ".name '" + port.getName() + "' is not a valid DNS-1123 label");
                } else if (!names.add(port.getName())) {
                    problems.add(at + ".name '" + port.getName() + "' is used twice");
                }
            }
            String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
            if (!Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
                problems.add(at + ".protocol '" + protocol + "' is not one of TCP, UDP, SCTP");
            }
            if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
                problems.add(at + ".port " + port.getPort() + " is not a port number (1-65535)");
            } else if (!numbers.add(protocol + "/" + port.getPort())) {
                problems.add(at + ": port " + port.getPort() + "/" + protocol + " is listed twice");
            }
            IntOrString target = port.getTargetPort();
            if (target != null && target.getIntVal() != null && (target.getIntVal() < 1 || target.getIntVal() > 65535)) {
                problems.add(at + ".targetPort " + target.getIntVal() + " is not a port number (1-65535)");
            } else if (target != null && target.getStrVal() != null && !PORT_NAME.matcher(target.getStrVal()).matches()) {
                problems.add(at + ".targetPort '" + target.getStrVal() + "' is not a port number or a port name "
                        + "(at most 15 lowercase letters, digits and '-', with a letter)");
            }
            Integer nodePort = port.getNodePort();
            if (nodePort != null && nodePort != 0) {
                if (!hasNodePorts) {
                    problems.add(at + ".nodePort " + nodePort + " is only allowed for type NodePort or LoadBalancer");
                } else if (nodePort < LabServiceNetwork.NODE_PORT_FIRST || nodePort > LabServiceNetwork.NODE_PORT_LAST) {
                    problems.add(at + ".nodePort " + nodePort + " is not in the node port range "
                            + LabServiceNetwork.NODE_PORT_FIRST + "-" + LabServiceNetwork.NODE_PORT_LAST);
                }
            }
        }
        String affinity = spec.getSessionAffinity();
        if (affinity != null && !Set.of("None", "ClientIP").contains(affinity)) {
            problems.add(where + ": spec.sessionAffinity '" + affinity + "' is not one of None, ClientIP");
        }
        Integer timeout = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        if (timeout != null && (timeout < 1 || timeout > 86400)) {
            problems.add(where + ": spec.sessionAffinityConfig.clientIP.timeoutSeconds " + timeout
                    + " is not in 1-86400");
        }
        if (spec.getExternalTrafficPolicy() != null && !Set.of("Cluster", "Local").contains(spec.getExternalTrafficPolicy())) {
            problems.add(where + ": spec.externalTrafficPolicy '" + spec.getExternalTrafficPolicy()
                    + "' is not one of Cluster, Local");
        }
        if (spec.getInternalTrafficPolicy() != null && !Set.of("Cluster", "Local").contains(spec.getInternalTrafficPolicy())) {
            problems.add(where + ": spec.internalTrafficPolicy '" + spec.getInternalTrafficPolicy()
                    + "' is not one of Cluster, Local");
        }
        List<String> externalIps = spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs();
        for (int i = 0; i < externalIps.size(); i++) {
            if (!LabServiceNetwork.isIpv4(externalIps.get(i))) {
                problems.add(where + ": spec.externalIPs[" + i + "] '" + externalIps.get(i) + "' is not an IPv4 address");
            }
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
                String portName = ports.get(p).getName();
                if (portName != null && !PORT_NAME.matcher(portName).matches()) {
                    problems.add(where + ": spec.containers[" + c + "].ports[" + p + "].name '" + portName
                            + "' is not a port name (at most 15 lowercase letters, digits and '-', with a letter)");
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
