package io.trellis.ovs.ovsdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Test helper: JSON as it travels, so that 42 as int and 42 as long compare equal. */
final class WireJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WireJson() {
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad JSON in test: " + text, e);
        }
    }

    /** Serializes and re-parses: the tree a peer would see. */
    static JsonNode wire(JsonNode node) {
        try {
            return MAPPER.readTree(MAPPER.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
