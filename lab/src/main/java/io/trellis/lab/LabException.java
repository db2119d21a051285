package io.trellis.lab;

/** A lab command cannot do what was asked; the message says why, for the user. */
public class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public LabException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public LabException(String message) {
        this(1, message);
    }

    public int exitCode() {
        return exitCode;
    }

    /** Exit code 3: the lab is not up. */
    public static LabException notUp(LabPaths paths) {
        return new LabException(3, "the lab is not up (nothing running in " + paths.root()
                + "); start it with `./trellis lab up`");
    }
}
