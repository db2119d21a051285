package io.trellis.lab.services;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The EndpointSlices ({@code discovery.k8s.io/v1}) the upstream EndpointSlice controller would keep for a
 * Service, computed from the Service and the Pods of its namespace. Pure functions.
 *
 * <p>Endpoints: the Pods the selector matches that have an IPv4 {@code status.podIP} and have not finished
 * (phase Succeeded/Failed), with {@code ready} = Ready condition and not terminating, {@code serving} = Ready
 * condition, {@code terminating} = has a deletionTimestamp ({@code publishNotReadyAddresses} makes all three
 * ready), {@code nodeName} and a {@code targetRef} to the Pod. Ports: one per Service port, named like it,
 * its targetPort resolved per Pod (a name from the Pod's containerPorts of that name and protocol, a number
 * as is, none = the Service port); a Pod on which a named targetPort does not resolve gets no such port.
 * Pods with the same resolved ports share a slice, named {@code <service>-<8 hex digits of the ports>}, so a
 * slice keeps its name while its endpoints change; a Service matching no Pod gets one slice without
 * endpoints or ports. Services without a selector are not managed (their slices are the user's), nor are
 * ExternalName Services.
 */
public final class EndpointSlices {
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    /** The value of {@link #MANAGED_BY_LABEL} on the lab's slices (upstream: endpointslice-controller.k8s.io). */
    public static final String MANAGED_BY = "lab";

    private EndpointSlices() {
    }

    /** The slices the Service should have; empty when the lab does not manage its slices. */
    public static Optional<List<EndpointSlice>> desired(Service service, List<Pod> podsInNamespace) {
        var spec = service.getSpec();
        if (spec == null || "ExternalName".equals(spec.getType()) || spec.getSelector() == null
                || spec.getSelector().isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> selector = spec.getSelector();
        boolean publishNotReady = Boolean.TRUE.equals(spec.getPublishNotReadyAddresses());
        List<ServicePort> servicePorts = spec.getPorts() == null ? List.of() : spec.getPorts();
        // Resolved ports (as a key) → those ports and the endpoints that have them.
        Map<String, List<EndpointPort>> portsByKey = new LinkedHashMap<>();
        Map<String, List<Endpoint>> endpointsByKey = new LinkedHashMap<>();
        List<Pod> pods = podsInNamespace.stream()
                .filter(p -> service.getMetadata().getNamespace().equals(p.getMetadata().getNamespace()))
                .filter(p -> matches(selector, p.getMetadata().getLabels()))
                .filter(EndpointSlices::eligible)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
        for (Pod pod : pods) {
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort sp : servicePorts) {
                resolve(sp, pod).ifPresent(number -> ports.add(new EndpointPortBuilder()
                        .withName(sp.getName() == null ? "" : sp.getName())
                        .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol())
                        .withPort(number).withAppProtocol(sp.getAppProtocol()).build()));
            }
            String key = portsKey(ports);
            portsByKey.putIfAbsent(key, ports);
            endpointsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(endpoint(pod, publishNotReady));
        }
        List<EndpointSlice> slices = new ArrayList<>();
        if (endpointsByKey.isEmpty()) {
            slices.add(slice(service, "", List.of(), List.of()));
        }
        endpointsByKey.forEach((key, endpoints) -> slices.add(slice(service, key, portsByKey.get(key), endpoints)));
        return Optional.of(slices);
    }

    /** Whether the slice's content (not its metadata bookkeeping) equals the desired one's. */
    public static boolean sameContent(EndpointSlice actual, EndpointSlice desired) {
        return java.util.Objects.equals(actual.getAddressType(), desired.getAddressType())
                && json(actual.getEndpoints()).equals(json(desired.getEndpoints()))
                && json(actual.getPorts()).equals(json(desired.getPorts()))
                && actual.getMetadata().getLabels() != null
                && actual.getMetadata().getLabels().entrySet().containsAll(desired.getMetadata().getLabels().entrySet());
    }

    private static String json(List<?> list) {
        return io.fabric8.kubernetes.client.utils.Serialization.asJson(list == null ? List.of() : list);
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        if (labels == null) {
            return false;
        }
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static boolean eligible(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getPodIP() == null
                || !LabServiceNetwork.isIpv4(pod.getStatus().getPodIP())) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /** The Service port's target on this Pod, if it resolves. */
    static Optional<Integer> resolve(ServicePort servicePort, Pod pod) {
        IntOrString target = servicePort.getTargetPort();
        if (target == null || target.getIntVal() == null && (target.getStrVal() == null || target.getStrVal().isEmpty())) {
            return Optional.ofNullable(servicePort.getPort());
        }
        if (target.getIntVal() != null) {
            return target.getIntVal() == 0 ? Optional.ofNullable(servicePort.getPort()) : Optional.of(target.getIntVal());
        }
        String protocol = servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol();
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return Optional.empty();
        }
        return pod.getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(cp -> target.getStrVal().equals(cp.getName())
                        && protocol.equals(cp.getProtocol() == null ? "TCP" : cp.getProtocol()))
                .map(ContainerPort::getContainerPort)
                .findFirst();
    }

    private static Endpoint endpoint(Pod pod, boolean publishNotReady) {
        boolean podReady = pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        return new EndpointBuilder()
                .withAddresses(pod.getStatus().getPodIP())
                .withNewConditions()
                .withReady(publishNotReady || podReady && !terminating)
                .withServing(publishNotReady || podReady)
                .withTerminating(terminating)
                .endConditions()
                .withNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName())
                .withTargetRef(new ObjectReferenceBuilder().withKind("Pod")
                        .withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withUid(pod.getMetadata().getUid()).build())
                .build();
    }

    private static EndpointSlice slice(Service service, String portsKey, List<EndpointPort> ports,
                                       List<Endpoint> endpoints) {
        String name = service.getMetadata().getName();
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name + "-" + digest(portsKey))
                .withNamespace(service.getMetadata().getNamespace())
                .addToLabels(SERVICE_NAME_LABEL, name)
                .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service")
                        .withName(name).withUid(service.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withAddressType("IPv4")
                .withPorts(ports)
                .withEndpoints(endpoints)
                .build();
    }

    private static String portsKey(List<EndpointPort> ports) {
        return ports.stream().map(p -> p.getName() + "/" + p.getProtocol() + "/" + p.getPort())
                .collect(Collectors.joining(","));
    }

    private static String digest(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
