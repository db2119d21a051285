package io.trellis.ovs.ovsdb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC 1.0 message as OVSDB uses it (RFC 7047 section 4): a request with an id, a
 * notification (a request whose id is null), or a response carrying the request's id.
 */
public sealed interface JsonRpcMessage permits JsonRpcMessage.Request, JsonRpcMessage.Notification,
        JsonRpcMessage.Response {

    ObjectNode toJson();

    /** {@code {"method": m, "params": [...], "id": id}}; the id is any non-null JSON value. */
    record Request(JsonNode id, String method, ArrayNode params) implements JsonRpcMessage {
        public Request {
            requireNonNull(id, "id");
            if (id.isNull()) {
                throw new IllegalArgumentException("a request id must not be null (that is a notification)");
            }
            requireNonNull(method, "method");
            requireNonNull(params, "params");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = JsonNodeFactory.instance.objectNode().put("method", method);
            json.set("params", params);
            json.set("id", id);
            return json;
        }
    }

    /** {@code {"method": m, "params": [...], "id": null}}, for example "update" from a monitor. */
    record Notification(String method, ArrayNode params) implements JsonRpcMessage {
        public Notification {
            requireNonNull(method, "method");
            requireNonNull(params, "params");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = JsonNodeFactory.instance.objectNode().put("method", method);
            json.set("params", params);
            json.putNull("id");
            return json;
        }
    }

    /** {@code {"result": r, "error": e, "id": id}}; exactly one of result and error is non-null. */
    record Response(JsonNode id, JsonNode result, JsonNode error) implements JsonRpcMessage {
        public Response {
            requireNonNull(id, "id");
            result = result == null ? NullNode.instance : result;
            error = error == null ? NullNode.instance : error;
        }

        public static Response success(JsonNode id, JsonNode result) {
            return new Response(id, result, NullNode.instance);
        }

        public static Response failure(JsonNode id, JsonNode error) {
            return new Response(id, NullNode.instance, error);
        }

        public boolean isError() {
            return !error.isNull();
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            json.set("result", result);
            json.set("error", error);
            json.set("id", id);
            return json;
        }
    }

    /** Classifies one decoded JSON object; fails naming the offending member. */
    static JsonRpcMessage fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new OvsdbProtocolException("JSON-RPC message must be an object, got " + json);
        }
        JsonNode id = json.get("id");
        if (json.has("method")) {
            JsonNode method = json.get("method");
            if (!method.isTextual()) {
                throw new OvsdbProtocolException("JSON-RPC \"method\" must be a string, got " + method);
            }
            JsonNode params = json.get("params");
            if (params == null || !params.isArray()) {
                throw new OvsdbProtocolException("JSON-RPC " + method.asText()
                        + ": \"params\" must be an array, got " + params);
            }
            if (id == null || id.isNull()) {
                return new Notification(method.asText(), (ArrayNode) params);
            }
            return new Request(id, method.asText(), (ArrayNode) params);
        }
        if (json.has("result") || json.has("error")) {
            if (id == null || id.isNull()) {
                throw new OvsdbProtocolException("JSON-RPC response without \"id\": " + json);
            }
            return new Response(id, json.get("result"), json.get("error"));
        }
        throw new OvsdbProtocolException("JSON-RPC message has neither \"method\" nor \"result\"/\"error\": " + json);
    }
}
