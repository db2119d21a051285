package io.trellis.ovs.ovsdb;

/** Bridge {@code datapath_type} (vswitch.ovsschema): "netdev" is the userspace datapath, "system" the kernel one. */
public enum DatapathType {
    NETDEV("netdev"),
    SYSTEM("system");

    private final String ovsName;

    DatapathType(String ovsName) {
        this.ovsName = ovsName;
    }

    public String ovsName() {
        return ovsName;
    }
}
