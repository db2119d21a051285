package io.trellis.ovs.ovsdb;

/** Values of the Bridge {@code protocols} column (vswitch.ovsschema enum). */
public enum OpenFlowProtocol {
    OPENFLOW10("OpenFlow10"),
    OPENFLOW11("OpenFlow11"),
    OPENFLOW12("OpenFlow12"),
    OPENFLOW13("OpenFlow13"),
    OPENFLOW14("OpenFlow14"),
    OPENFLOW15("OpenFlow15");

    private final String ovsName;

    OpenFlowProtocol(String ovsName) {
        this.ovsName = ovsName;
    }

    public String ovsName() {
        return ovsName;
    }
}
