package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A Bridge row as read from the database. */
public record BridgeInfo(Uuid uuid, String name, String datapathType, Set<String> protocols, Optional<String> failMode,
                         Map<String, String> otherConfig, Map<String, String> externalIds, Set<Uuid> ports,
                         Set<Uuid> controllers) {

    public BridgeInfo {
        requireNonNull(uuid, "uuid");
        requireNonNull(name, "name");
        requireNonNull(datapathType, "datapathType");
        protocols = Set.copyOf(protocols);
        requireNonNull(failMode, "failMode");
        otherConfig = Map.copyOf(otherConfig);
        externalIds = Map.copyOf(externalIds);
        ports = Set.copyOf(ports);
        controllers = Set.copyOf(controllers);
    }

    static BridgeInfo fromRow(Row row) {
        return new BridgeInfo(row.uuid(), row.getString("name"), row.getString("datapath_type"),
                row.getStringSet("protocols"), row.getOptionalString("fail_mode"), row.getStringMap("other_config"),
                row.getStringMap("external_ids"), row.getUuidSet("ports"), row.getUuidSet("controller"));
    }
}
