package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Protocol;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One entry of a rule's {@code ports}, as the user wrote it: a number (with an optional
 * {@code endPort}), a name (resolved by the agent against the target pod for ingress, the peer pod
 * for egress), or neither (every port of the protocol).
 */
public record RulePort(Protocol protocol, OptionalInt port, Optional<String> portName, OptionalInt endPort) {
    public RulePort {
        requireNonNull(protocol, "protocol");
        requireNonNull(port, "port");
        requireNonNull(portName, "portName");
        requireNonNull(endPort, "endPort");
        if (port.isPresent() && portName.isPresent()) {
            throw new IllegalArgumentException("rule port has both number " + port.getAsInt() + " and name "
                    + portName.get());
        }
        port.ifPresent(p -> checkRange("port", p));
        endPort.ifPresent(p -> checkRange("endPort", p));
        if (endPort.isPresent() && port.isEmpty()) {
            throw new IllegalArgumentException("endPort " + endPort.getAsInt() + " needs a numeric port");
        }
        if (endPort.isPresent() && endPort.getAsInt() < port.getAsInt()) {
            throw new IllegalArgumentException("endPort " + endPort.getAsInt() + " is below port " + port.getAsInt());
        }
        if (portName.isPresent() && portName.get().isEmpty()) {
            throw new IllegalArgumentException("rule port name must not be empty");
        }
    }

    public static RulePort number(Protocol protocol, int port) {
        return new RulePort(protocol, OptionalInt.of(port), Optional.empty(), OptionalInt.empty());
    }

    public static RulePort named(Protocol protocol, String name) {
        return new RulePort(protocol, OptionalInt.empty(), Optional.of(name), OptionalInt.empty());
    }

    public static RulePort anyPort(Protocol protocol) {
        return new RulePort(protocol, OptionalInt.empty(), Optional.empty(), OptionalInt.empty());
    }

    private static void checkRange(String what, int value) {
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("rule " + what + " must be 1..65535, got " + value);
        }
    }
}
