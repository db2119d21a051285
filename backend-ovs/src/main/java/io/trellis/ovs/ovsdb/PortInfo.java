package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/** A Port row with its Interface rows. */
public record PortInfo(Uuid uuid, String name, List<InterfaceInfo> interfaces, Map<String, String> externalIds) {

    public PortInfo {
        requireNonNull(uuid, "uuid");
        requireNonNull(name, "name");
        interfaces = List.copyOf(interfaces);
        externalIds = Map.copyOf(externalIds);
    }
}
