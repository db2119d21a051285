package io.trellis.controller.networkpolicy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Converts fabric8 Namespaces and Pods into the computation's snapshots. Stateless. */
public final class ClusterObjects {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterObjects.class);

    public NamespaceInfo namespace(Namespace namespace) {
        Map<String, String> labels = namespace.getMetadata().getLabels();
        return new NamespaceInfo(namespace.getMetadata().getName(), labels == null ? Map.of() : labels);
    }

    public PodInfo pod(Pod pod) {
        PodRef ref = new PodRef(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        Map<String, String> labels = pod.getMetadata().getLabels();
        Optional<String> node = Optional.empty();
        boolean hostNetwork = false;
        List<NamedPort> ports = new ArrayList<>();
        if (pod.getSpec() != null) {
            node = Optional.ofNullable(pod.getSpec().getNodeName()).filter(n -> !n.isEmpty());
            hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
            List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
            for (int c = 0; c < containers.size(); c++) {
                List<ContainerPort> containerPorts = containers.get(c).getPorts() == null ? List.of()
                        : containers.get(c).getPorts();
                for (int p = 0; p < containerPorts.size(); p++) {
                    namedPort(ref, "spec.containers[" + c + "].ports[" + p + "]", containerPorts.get(p))
                            .ifPresent(ports::add);
                }
            }
        }
        // NetworkPolicies do not apply to host-network pods: their address is the node's, so they are no members.
        List<InetAddress> ips = hostNetwork || pod.getStatus() == null ? List.of() : ips(ref, pod);
        PodPhase phase = pod.getStatus() == null ? PodPhase.UNKNOWN : PodPhase.fromApi(pod.getStatus().getPhase());
        return new PodInfo(ref, labels == null ? Map.of() : labels, node, ips, phase, ports);
    }

    private static Optional<NamedPort> namedPort(PodRef pod, String field, ContainerPort port) {
        if (port.getName() == null || port.getName().isEmpty()) {
            return Optional.empty();
        }
        String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
        try {
            return Optional.of(new NamedPort(port.getName(), Protocol.valueOf(protocol),
                    port.getContainerPort() == null ? 0 : port.getContainerPort()));
        } catch (IllegalArgumentException e) {
            LOG.warn("pod {}: {} is ignored for named policy ports: name '{}', protocol '{}', containerPort {}", pod,
                    field, port.getName(), protocol, port.getContainerPort());
            return Optional.empty();
        }
    }

    private static List<InetAddress> ips(PodRef pod, Pod object) {
        List<String> texts = new ArrayList<>();
        List<PodIP> podIps = object.getStatus().getPodIPs();
        if (podIps != null && !podIps.isEmpty()) {
            podIps.forEach(ip -> texts.add(ip.getIp()));
        } else if (object.getStatus().getPodIP() != null && !object.getStatus().getPodIP().isEmpty()) {
            texts.add(object.getStatus().getPodIP());
        }
        List<InetAddress> ips = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            Optional<InetAddress> address = numericAddress(text);
            if (address.isPresent()) {
                ips.add(address.get());
            } else {
                LOG.warn("pod {}: status.podIPs[{}]: '{}' is not an IP address; ignored", pod, i, text);
            }
        }
        return ips;
    }

    /** Numeric addresses only: {@link InetAddress#getByName} would resolve a host name. */
    static Optional<InetAddress> numericAddress(String text) {
        if (text == null || text.isEmpty()
                || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
                || text.indexOf(':') < 0 && !text.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
