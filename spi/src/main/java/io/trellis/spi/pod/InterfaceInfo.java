package io.trellis.spi.pod;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.MacAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One interface as a CNI result lists it: its name, MAC and, for an interface inside the pod, the
 * sandbox (network namespace path) it lives in.
 */
public record InterfaceInfo(String name, MacAddress mac, Optional<Path> sandbox) {
    public InterfaceInfo {
        requireNonNull(name, "name");
        requireNonNull(mac, "mac");
        requireNonNull(sandbox, "sandbox");
        if (name.isEmpty() || name.length() > 15) {
            throw new IllegalArgumentException("interface name must be 1..15 characters, got '" + name + "'");
        }
    }
}
