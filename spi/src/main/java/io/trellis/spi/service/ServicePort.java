package io.trellis.spi.service;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Protocol;
import java.util.OptionalInt;

/**
 * One port of a Service ({@code spec.ports[]}).
 *
 * @param name     the port's name, which endpoint ports are matched by; empty for a Service's only
 *                 unnamed port
 * @param protocol TCP, UDP or SCTP
 * @param port     the port on the cluster IP
 * @param nodePort the port opened on every node's IPs for NodePort and LoadBalancer Services
 */
public record ServicePort(String name, Protocol protocol, int port, OptionalInt nodePort) {
    public ServicePort {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        requireNonNull(nodePort, "nodePort");
        checkPort("port", port);
        nodePort.ifPresent(p -> checkPort("nodePort", p));
    }

    static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be 1..65535, got " + port);
        }
    }
}
