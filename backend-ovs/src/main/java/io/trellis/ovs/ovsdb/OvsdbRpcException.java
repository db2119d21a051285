package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server answered a JSON-RPC request with a non-null {@code error} (RFC 7047 section 4.1), for
 * example {@code "unknown database"} or {@code "unknown method"}.
 */
public class OvsdbRpcException extends OvsdbException {

    private final String method;
    private final JsonNode error;

    public OvsdbRpcException(String method, JsonNode error) {
        super("OVSDB " + requireNonNull(method, "method") + " failed: " + requireNonNull(error, "error"));
        this.method = method;
        this.error = error;
    }

    public String method() {
        return method;
    }

    /** The raw JSON-RPC {@code error} member. */
    public JsonNode error() {
        return error;
    }
}
