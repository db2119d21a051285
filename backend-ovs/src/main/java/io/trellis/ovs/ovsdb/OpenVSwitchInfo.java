package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;

/**
 * The Open_vSwitch root row. {@code ovsVersion} is written by the start-up scripts (ovs-ctl), so it
 * may be empty; {@code datapathTypes} and {@code ifaceTypes} are filled in by a running ovs-vswitchd.
 */
public record OpenVSwitchInfo(Uuid uuid, Optional<String> ovsVersion, Optional<String> dbVersion,
                              Set<String> datapathTypes, Set<String> ifaceTypes, long nextCfg, long curCfg) {

    public OpenVSwitchInfo {
        requireNonNull(uuid, "uuid");
        requireNonNull(ovsVersion, "ovsVersion");
        requireNonNull(dbVersion, "dbVersion");
        datapathTypes = Set.copyOf(datapathTypes);
        ifaceTypes = Set.copyOf(ifaceTypes);
    }

    static OpenVSwitchInfo fromRow(Row row) {
        return new OpenVSwitchInfo(row.uuid(), row.getOptionalString("ovs_version"),
                row.getOptionalString("db_version"), row.getStringSet("datapath_types"),
                row.getStringSet("iface_types"), row.getInteger("next_cfg"), row.getInteger("cur_cfg"));
    }
}
