package io.trellis.agent.config;

import java.util.Arrays;
import java.util.Optional;

/** The OVS datapath of the agent's bridges (the Bridge table's {@code datapath_type} column). */
public enum DatapathType {
    /** The Linux kernel module (openvswitch.ko): the fast path of production nodes. */
    SYSTEM("system"),
    /**
     * The userspace datapath inside ovs-vswitchd: no kernel module needed (containers, CI). Pod veth
     * ends need TX checksum offload off, since userspace forwarding does not fill in checksums that
     * the kernel left to the NIC.
     */
    NETDEV("netdev");

    private final String configName;

    DatapathType(String configName) {
        this.configName = configName;
    }

    /** The value in the configuration and in OVSDB. */
    public String configName() {
        return configName;
    }

    public static Optional<DatapathType> fromConfigName(String name) {
        return Arrays.stream(values()).filter(t -> t.configName.equals(name)).findFirst();
    }
}
