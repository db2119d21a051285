package io.trellis.cni.spec;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A CNI error as the spec prints it on stdout: {@code {"cniVersion", "code", "msg", "details"}}.
 * The codes below 100 are the spec's well-known ones (SPEC.md "Error" / "Well-known Error Codes",
 * 1.1.0 added 50 and 51 for STATUS); 100 and above are trellis-cni's own.
 */
public record CniError(int code, String msg, Optional<String> details) {
    /** Incompatible CNI version. */
    public static final int INCOMPATIBLE_VERSION = 1;
    /** Unsupported field in network configuration; the message names the key and value. */
    public static final int UNSUPPORTED_FIELD = 2;
    /** Container unknown or does not exist: no cleanup needed. */
    public static final int UNKNOWN_CONTAINER = 3;
    /** Invalid necessary environment variables; the message names them. */
    public static final int INVALID_ENVIRONMENT = 4;
    /** I/O failure, e.g. reading stdin. */
    public static final int IO_FAILURE = 5;
    /** Failed to decode content, e.g. the network config is not JSON. */
    public static final int DECODE_FAILURE = 6;
    /** Invalid network config. */
    public static final int INVALID_CONFIG = 7;
    /** Try again later: a transient condition, e.g. the agent is not up yet. */
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS: the plugin cannot service ADD requests. */
    public static final int NOT_AVAILABLE = 50;
    /** STATUS: not available, and existing containers may have limited connectivity. */
    public static final int NOT_AVAILABLE_DEGRADED = 51;
    /** trellis-cni: the agent failed the request for a reason of its own (the message says which). */
    public static final int AGENT_FAILURE = 100;
    /** trellis-cni: the agent's reply could not be understood (protocol mismatch or corruption). */
    public static final int AGENT_PROTOCOL = 101;

    public CniError {
        requireNonNull(msg, "msg");
        requireNonNull(details, "details");
        if (code <= 0) {
            throw new IllegalArgumentException("CNI error code must be positive, got " + code);
        }
    }

    public CniError(int code, String msg) {
        this(code, msg, Optional.empty());
    }

    public CniError(int code, String msg, String details) {
        this(code, msg, Optional.ofNullable(details));
    }

    @Override
    public String toString() {
        return "CNI error " + code + ": " + msg + details.map(d -> " (" + d + ")").orElse("");
    }
}
