package io.trellis.ovs.ovsdb;

/** Interface {@code type} values the agent creates; {@link #SYSTEM} is the empty string (an existing netdev). */
public enum InterfaceType {
    SYSTEM(""),
    INTERNAL("internal"),
    GENEVE("geneve"),
    VXLAN("vxlan"),
    PATCH("patch");

    private final String ovsName;

    InterfaceType(String ovsName) {
        this.ovsName = ovsName;
    }

    public String ovsName() {
        return ovsName;
    }
}
