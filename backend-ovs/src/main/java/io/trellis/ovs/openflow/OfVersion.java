package io.trellis.ovs.openflow;

/**
 * The OpenFlow versions Trellis speaks. OVS bridges are configured with
 * {@code protocols=OpenFlow13,OpenFlow15}; the client prefers 1.5 and falls back to 1.3.
 */
public enum OfVersion {
    OF13(0x04, "OpenFlow13"),
    OF15(0x06, "OpenFlow15");

    private final int wireVersion;
    private final String ovsName;

    OfVersion(int wireVersion, String ovsName) {
        this.wireVersion = wireVersion;
        this.ovsName = ovsName;
    }

    /** The {@code ofp_header.version} byte. */
    public int wireVersion() {
        return wireVersion;
    }

    /** The name OVS uses in {@code protocols=} and {@code ovs-ofctl -O}. */
    public String ovsName() {
        return ovsName;
    }

    public static OfVersion fromWire(int version) {
        for (OfVersion v : values()) {
            if (v.wireVersion == version) {
                return v;
            }
        }
        throw new OfCodecException("ofp_header.version: unsupported OpenFlow version 0x"
                + Integer.toHexString(version) + " (supported: 0x04 OpenFlow 1.3, 0x06 OpenFlow 1.5)");
    }
}
