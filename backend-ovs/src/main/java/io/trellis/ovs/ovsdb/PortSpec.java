package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A port with one interface of the same name, for {@link OpenVSwitchDatabase#addPort}.
 * Tunnel ports take their settings in {@code options}, e.g. {@code remote_ip=flow, key=flow}.
 */
public record PortSpec(String name, InterfaceType type, Map<String, String> options, Optional<Integer> ofportRequest,
                       Map<String, String> externalIds) {

    public PortSpec {
        requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("port name must not be empty");
        }
        requireNonNull(type, "type");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        requireNonNull(ofportRequest, "ofportRequest");
        ofportRequest.ifPresent(p -> {
            // vswitch.ovsschema: ofport_request minInteger 1, maxInteger 65279 (below OFPP_MAX).
            if (p < 1 || p > 65279) {
                throw new IllegalArgumentException("ofport_request must be 1..65279, got " + p);
            }
        });
        externalIds = Collections.unmodifiableMap(new LinkedHashMap<>(externalIds));
    }

    public static PortSpec of(String name, InterfaceType type) {
        return new PortSpec(name, type, Map.of(), Optional.empty(), Map.of());
    }

    public static PortSpec internal(String name) {
        return of(name, InterfaceType.INTERNAL);
    }

    /** A flow-based Geneve port: remote_ip and key chosen per packet by set_field to tun_dst / tun_id. */
    public static PortSpec flowBasedGeneve(String name) {
        return of(name, InterfaceType.GENEVE).withOptions(Map.of("remote_ip", "flow", "key", "flow"));
    }

    public static PortSpec flowBasedVxlan(String name) {
        return of(name, InterfaceType.VXLAN).withOptions(Map.of("remote_ip", "flow", "key", "flow"));
    }

    public PortSpec withOptions(Map<String, String> newOptions) {
        return new PortSpec(name, type, newOptions, ofportRequest, externalIds);
    }

    public PortSpec withOfportRequest(int ofport) {
        return new PortSpec(name, type, options, Optional.of(ofport), externalIds);
    }

    public PortSpec withExternalIds(Map<String, String> newExternalIds) {
        return new PortSpec(name, type, options, ofportRequest, newExternalIds);
    }
}
