package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * An Interface row. {@code ofport} is empty until ovs-vswitchd has looked at the interface and
 * -1 when it failed to add it ({@code error} then says why).
 */
public record InterfaceInfo(Uuid uuid, String name, String type, Map<String, String> options, Optional<Long> ofport,
                            Optional<Long> ofportRequest, Map<String, String> externalIds, Optional<String> error) {

    public InterfaceInfo {
        requireNonNull(uuid, "uuid");
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        options = Map.copyOf(options);
        requireNonNull(ofport, "ofport");
        requireNonNull(ofportRequest, "ofportRequest");
        externalIds = Map.copyOf(externalIds);
        requireNonNull(error, "error");
    }

    /** The OpenFlow port number once ovs-vswitchd assigned a valid one. */
    public Optional<Long> assignedOfport() {
        return ofport.filter(p -> p > 0);
    }

    static InterfaceInfo fromRow(Row row) {
        return new InterfaceInfo(row.uuid(), row.getString("name"), row.getString("type"),
                row.getStringMap("options"), row.getOptionalInteger("ofport"),
                row.getOptionalInteger("ofport_request"), row.getStringMap("external_ids"),
                row.getOptionalString("error"));
    }
}
