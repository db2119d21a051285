package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The desired state of a bridge for {@link OpenVSwitchDatabase#ensureBridge(BridgeSpec)}. */
public record BridgeSpec(String name, DatapathType datapathType, Set<OpenFlowProtocol> protocols,
                         Optional<FailMode> failMode, Map<String, String> otherConfig,
                         Map<String, String> externalIds) {

    public BridgeSpec {
        requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 15) {
            // Linux IFNAMSIZ: the bridge's local port becomes a network device of the same name.
            throw new IllegalArgumentException("bridge name '" + name + "' must be 1..15 characters");
        }
        requireNonNull(datapathType, "datapathType");
        protocols = protocols.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(protocols));
        requireNonNull(failMode, "failMode");
        otherConfig = Collections.unmodifiableMap(new LinkedHashMap<>(otherConfig));
        externalIds = Collections.unmodifiableMap(new LinkedHashMap<>(externalIds));
    }

    /** A bridge with the given datapath, speaking OpenFlow 1.3 and 1.5, fail_mode secure, no extra config. */
    public static BridgeSpec of(String name, DatapathType datapathType) {
        return new BridgeSpec(name, datapathType, EnumSet.of(OpenFlowProtocol.OPENFLOW13, OpenFlowProtocol.OPENFLOW15),
                Optional.of(FailMode.SECURE), Map.of(), Map.of());
    }

    public BridgeSpec withProtocols(Set<OpenFlowProtocol> newProtocols) {
        return new BridgeSpec(name, datapathType, newProtocols, failMode, otherConfig, externalIds);
    }

    public BridgeSpec withFailMode(Optional<FailMode> newFailMode) {
        return new BridgeSpec(name, datapathType, protocols, newFailMode, otherConfig, externalIds);
    }

    public BridgeSpec withOtherConfig(Map<String, String> newOtherConfig) {
        return new BridgeSpec(name, datapathType, protocols, failMode, newOtherConfig, externalIds);
    }

    public BridgeSpec withExternalIds(Map<String, String> newExternalIds) {
        return new BridgeSpec(name, datapathType, protocols, failMode, otherConfig, newExternalIds);
    }
}
