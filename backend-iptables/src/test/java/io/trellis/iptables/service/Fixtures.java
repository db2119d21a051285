package io.trellis.iptables.service;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServicePort;
import io.trellis.spi.service.ServiceRef;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Small builders for Services in tests. */
final class Fixtures {

    static final String NODE = "node-a";
    static final IpPrefix POD_CIDR = IpPrefix.parse("10.244.1.0/24");

    private Fixtures() {
    }

    static ProxyNode node() {
        return new ProxyNode(NODE, POD_CIDR, new ProxySettings(ProxySettings.DEFAULT_MASQUERADE_BIT));
    }

    static ServiceRuleGenerator generator() {
        return new ServiceRuleGenerator(node());
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static ServicePort port(String name, Protocol protocol, int port) {
        return new ServicePort(name, protocol, port, OptionalInt.empty());
    }

    static ServicePort nodePort(String name, Protocol protocol, int port, int nodePort) {
        return new ServicePort(name, protocol, port, OptionalInt.of(nodePort));
    }

    /** A ready endpoint serving port {@code portName} on {@code targetPort} for each protocol given. */
    static ServiceEndpoint ready(String ip, String node, String portName, Protocol protocol, int targetPort) {
        return new ServiceEndpoint(ip(ip), List.of(new EndpointPort(portName, protocol, targetPort)), true,
                Optional.ofNullable(node));
    }

    static ServiceEndpoint endpoint(String ip, String node, List<EndpointPort> ports, boolean ready, boolean serving,
                                    boolean terminating) {
        return new ServiceEndpoint(ip(ip), ports, ready, serving, terminating, Optional.ofNullable(node));
    }

    static Service service(String name, String clusterIp, List<ServicePort> ports, List<ServiceEndpoint> endpoints) {
        return new Service(new ServiceRef("default", name), List.of(ip(clusterIp)), ports, endpoints);
    }
}
