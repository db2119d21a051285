package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Protocol;
import java.util.OptionalInt;

/**
 * A protocol and port range of a rule (NetworkPolicy {@code ports[]}). Named ports are resolved to
 * numbers by the agent before they reach the enforcer.
 *
 * @param protocol TCP, UDP or SCTP
 * @param port     the first port; empty matches every port of the protocol
 * @param endPort  the last port of a range (inclusive); requires {@code port}
 */
public record PortMatch(Protocol protocol, OptionalInt port, OptionalInt endPort) {
    public PortMatch {
        requireNonNull(protocol, "protocol");
        requireNonNull(port, "port");
        requireNonNull(endPort, "endPort");
        port.ifPresent(p -> check("port", p));
        endPort.ifPresent(p -> check("endPort", p));
        if (endPort.isPresent() && port.isEmpty()) {
            throw new IllegalArgumentException("endPort " + endPort.getAsInt() + " needs a port");
        }
        if (endPort.isPresent() && endPort.getAsInt() < port.getAsInt()) {
            throw new IllegalArgumentException("endPort " + endPort.getAsInt() + " is below port " + port.getAsInt());
        }
    }

    public static PortMatch of(Protocol protocol, int port) {
        return new PortMatch(protocol, OptionalInt.of(port), OptionalInt.empty());
    }

    private static void check(String what, int value) {
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(what + " must be 1..65535, got " + value);
        }
    }
}
