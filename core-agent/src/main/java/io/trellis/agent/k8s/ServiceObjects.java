package io.trellis.agent.k8s;

import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import io.trellis.spi.service.TrafficPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Kubernetes Services and EndpointSlices ({@code discovery.k8s.io/v1}) as the SPI's
 * {@link Service}: the Service's IPv4 cluster IP and its ports, joined with the endpoints of its
 * IPv4 slices. Pure functions, no I/O.
 *
 * <p>Named and numeric targetPorts need nothing here: the EndpointSlice controller has already
 * resolved them per pod into the slice's {@code ports} (name, protocol, number), and each slice's
 * ports apply to its own endpoints, so pods serving a named port on different numbers end up in
 * different slices with their own numbers.
 */
final class ServiceObjects {

    /** The label EndpointSlices carry with the name of their Service. */
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private ServiceObjects() {
    }

    /** The Service an EndpointSlice belongs to, from its label; empty without one. */
    static Optional<ServiceRef> serviceOf(EndpointSlice slice) {
        var meta = slice.getMetadata();
        String name = meta.getLabels() == null ? null : meta.getLabels().get(SERVICE_NAME_LABEL);
        if (name == null || name.isEmpty() || meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ServiceRef(meta.getNamespace(), name));
    }

    static ServiceRef refOf(io.fabric8.kubernetes.api.model.Service service) {
        return new ServiceRef(service.getMetadata().getNamespace(), service.getMetadata().getName());
    }

    /**
     * The Service as a proxy sees it, or empty when there is nothing to proxy: ExternalName
     * Services, headless ones ({@code clusterIP: None}), those without an IPv4 cluster IP (IPv4
     * only for now) or without ports.
     *
     * @throws IllegalArgumentException naming the Service and the field when a value is malformed
     */
    static Optional<Service> toService(io.fabric8.kubernetes.api.model.Service service,
                                       Collection<EndpointSlice> slices) {
        ServiceRef ref = refOf(service);
        ServiceSpec spec = service.getSpec();
        if (spec == null || "ExternalName".equals(spec.getType())) {
            return Optional.empty();
        }
        List<InetAddress> clusterIps = new ArrayList<>();
        List<String> declared = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        for (String ip : declared) {
            if (ip != null && IPV4.matcher(ip).matches()) {
                clusterIps.add(ipv4(ref, "spec.clusterIPs", ip));
            }
        }
        if (clusterIps.isEmpty() || spec.getPorts() == null || spec.getPorts().isEmpty()) {
            return Optional.empty();   // headless ("None"), IPv6 only, not allocated yet, or no ports
        }
        List<ServicePort> ports = new ArrayList<>();
        for (var port : spec.getPorts()) {
            OptionalInt nodePort = port.getNodePort() == null || port.getNodePort() == 0 ? OptionalInt.empty()
                    : OptionalInt.of(port.getNodePort());
            ports.add(new ServicePort(nameOf(port.getName()), protocol(ref, "spec.ports[].protocol", port.getProtocol()),
                    port.getPort() == null ? 0 : port.getPort(), nodePort));
        }
        List<ServiceEndpoint> endpoints = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            if (!"IPv4".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
                continue;
            }
            List<EndpointPort> sliceports = new ArrayList<>();
            if (slice.getPorts() != null) {
                for (var p : slice.getPorts()) {
                    if (p.getPort() != null) {   // no port: "all ports", only for Services without selector; not proxied
                        sliceports.add(new EndpointPort(nameOf(p.getName()),
                                protocol(ref, "EndpointSlice " + slice.getMetadata().getName() + " ports[].protocol",
                                        p.getProtocol()), p.getPort()));
                    }
                }
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                    continue;
                }
                // All addresses of one endpoint are the same backend; the first one is used, as kube-proxy does.
                InetAddress address = ipv4(ref, "EndpointSlice " + slice.getMetadata().getName() + " addresses",
                        endpoint.getAddresses().get(0));
                EndpointConditions c = endpoint.getConditions();
                // API semantics: ready absent = ready; serving absent = same as ready; terminating absent = false.
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
                boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                endpoints.add(new ServiceEndpoint(address, sliceports, ready, serving, terminating,
                        Optional.ofNullable(endpoint.getNodeName())));
            }
        }
        return Optional.of(new Service(ref, clusterIps, ports, endpoints, affinity(ref, spec),   // its errors name the Service
                ipv4s(ref, "spec.externalIPs", spec.getExternalIPs()), loadBalancerIps(ref, service),
                policy(ref, "spec.externalTrafficPolicy", spec.getExternalTrafficPolicy()),
                policy(ref, "spec.internalTrafficPolicy", spec.getInternalTrafficPolicy())));
    }

    /** The IPv4 ones of {@code values} (IPv6 is not proxied yet), malformed IPv4 rejected. */
    private static List<InetAddress> ipv4s(ServiceRef ref, String field, List<String> values) {
        List<InetAddress> ips = new ArrayList<>();
        if (values != null) {
            for (String value : values) {
                if (value != null && !value.contains(":")) {
                    ips.add(ipv4(ref, field, value));
                }
            }
        }
        return ips;
    }

    /**
     * {@code status.loadBalancer.ingress[].ip} of a LoadBalancer Service; ingress entries with only
     * a hostname carry no IP, and other Service types' statuses are ignored (a Service changed from
     * LoadBalancer to ClusterIP may keep a stale status until its controller clears it).
     */
    private static List<InetAddress> loadBalancerIps(ServiceRef ref, io.fabric8.kubernetes.api.model.Service service) {
        var status = service.getStatus();
        if (!"LoadBalancer".equals(service.getSpec().getType()) || status == null || status.getLoadBalancer() == null
                || status.getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<String> ips = new ArrayList<>();
        for (var ingress : status.getLoadBalancer().getIngress()) {
            if (ingress != null && ingress.getIp() != null && !ingress.getIp().isEmpty()) {
                ips.add(ingress.getIp());
            }
        }
        return ipv4s(ref, "status.loadBalancer.ingress[].ip", ips);
    }

    /** {@code Cluster} (also the API's default when absent) or {@code Local}. */
    private static TrafficPolicy policy(ServiceRef ref, String field, String value) {
        if (value == null || value.equals("Cluster")) {
            return TrafficPolicy.CLUSTER;
        }
        if (value.equals("Local")) {
            return TrafficPolicy.LOCAL;
        }
        throw new IllegalArgumentException("Service " + ref + " " + field + ": expected Cluster or Local, got '" + value
                + "'");
    }

    /** {@code sessionAffinity: ClientIP} with its timeout (the API's default when not given); None otherwise. */
    private static Optional<ClientIpAffinity> affinity(ServiceRef ref, ServiceSpec spec) {
        String mode = spec.getSessionAffinity();
        if (mode == null || mode.equals("None")) {
            return Optional.empty();
        }
        if (!mode.equals("ClientIP")) {
            throw new IllegalArgumentException("Service " + ref + " spec.sessionAffinity: expected None or ClientIP, got '"
                    + mode + "'");
        }
        Integer timeout = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        try {
            return Optional.of(new ClientIpAffinity(timeout == null ? ClientIpAffinity.DEFAULT_TIMEOUT_SECONDS : timeout));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Service " + ref
                    + " spec.sessionAffinityConfig.clientIP.timeoutSeconds: " + e.getMessage(), e);
        }
    }

    private static String nameOf(String name) {
        return name == null ? "" : name;
    }

    private static Protocol protocol(ServiceRef ref, String field, String value) {
        if (value == null) {
            return Protocol.TCP;   // the API's default
        }
        try {
            return Protocol.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Service " + ref + ": " + field + ": unknown protocol '" + value + "'");
        }
    }

    private static InetAddress ipv4(ServiceRef ref, String field, String value) {
        if (value == null || !IPV4.matcher(value).matches()) {
            throw new IllegalArgumentException("Service " + ref + ": " + field + ": '" + value + "' is not an IPv4 address");
        }
        String[] parts = value.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                throw new IllegalArgumentException("Service " + ref + ": " + field + ": '" + value
                        + "' is not an IPv4 address");
            }
            bytes[i] = (byte) octet;
        }
        try {
            return InetAddress.getByAddress(bytes);   // from the bytes: never a name lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are an IPv4 address", e);
        }
    }
}
