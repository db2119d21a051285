package io.trellis.cni.spec;

import static java.util.Objects.requireNonNull;

/**
 * A failure that must reach the runtime as a CNI error. The agent's {@code CniHandler} throws it to
 * choose the code (e.g. {@link CniError#TRY_AGAIN_LATER} while it is still starting); the executable
 * throws it for bad input.
 */
public class CniException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient CniError error;

    public CniException(CniError error) {
        super(requireNonNull(error, "error").toString());
        this.error = error;
    }

    public CniException(CniError error, Throwable cause) {
        super(requireNonNull(error, "error").toString(), cause);
        this.error = error;
    }

    public CniException(int code, String msg, String details) {
        this(new CniError(code, msg, details));
    }

    public CniException(int code, String msg) {
        this(new CniError(code, msg));
    }

    public CniError error() {
        return error;
    }
}
