package io.trellis.ovs.ovsdb;

/** Bridge {@code fail_mode}: what OVS does without a controller ("secure": no flows are added on its own). */
public enum FailMode {
    STANDALONE("standalone"),
    SECURE("secure");

    private final String ovsName;

    FailMode(String ovsName) {
        this.ovsName = ovsName;
    }

    public String ovsName() {
        return ovsName;
    }
}
