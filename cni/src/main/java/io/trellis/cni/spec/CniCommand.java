package io.trellis.cni.spec;

import java.util.Optional;

/** The values of {@code CNI_COMMAND}. */
public enum CniCommand {
    ADD, DEL, CHECK, STATUS, GC, VERSION;

    public static Optional<CniCommand> parse(String text) {
        for (CniCommand c : values()) {
            if (c.name().equals(text)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The first spec version that knows this command. */
    public CniVersion since() {
        switch (this) {
            case CHECK:
                return CniVersion.V0_4_0;
            case STATUS:
            case GC:
                return CniVersion.V1_1_0;
            default:
                return CniVersion.V0_3_0;
        }
    }

    /** Whether the command works on one attachment (container id + interface name). */
    public boolean isAttachmentCommand() {
        return this == ADD || this == DEL || this == CHECK;
    }
}
