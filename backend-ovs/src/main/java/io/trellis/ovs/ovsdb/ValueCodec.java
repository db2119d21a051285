package io.trellis.ovs.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/** Maps OVSDB values to and from their JSON notation (RFC 7047 section 5.1). Stateless. */
public final class ValueCodec {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ValueCodec() {
    }

    public static JsonNode toJson(Value value) {
        if (value instanceof Atom atom) {
            return atomToJson(atom);
        }
        if (value instanceof OvsdbSet set) {
            ArrayNode elements = JSON.arrayNode();
            set.elements().forEach(e -> elements.add(atomToJson(e)));
            return JSON.arrayNode().add("set").add(elements);
        }
        OvsdbMap map = (OvsdbMap) value;
        ArrayNode pairs = JSON.arrayNode();
        map.entries().forEach((k, v) -> pairs.add(JSON.arrayNode().add(atomToJson(k)).add(atomToJson(v))));
        return JSON.arrayNode().add("map").add(pairs);
    }

    public static JsonNode atomToJson(Atom atom) {
        if (atom instanceof Atom.Str s) {
            return JSON.textNode(s.value());
        } else if (atom instanceof Atom.Int i) {
            return JSON.numberNode(i.value());
        } else if (atom instanceof Atom.Real r) {
            return JSON.numberNode(r.value());
        } else if (atom instanceof Atom.Bool b) {
            return JSON.booleanNode(b.value());
        } else if (atom instanceof Uuid u) {
            return JSON.arrayNode().add("uuid").add(u.value().toString());
        } else {
            return JSON.arrayNode().add("named-uuid").add(((NamedUuid) atom).name());
        }
    }

    /**
     * Decodes a {@code <value>}.
     *
     * @param where names the field being decoded (e.g. {@code "Bridge.ports"}) for error messages
     */
    public static Value fromJson(JsonNode json, String where) {
        if (json != null && json.isArray() && json.size() == 2 && json.get(0).isTextual()) {
            String tag = json.get(0).asText();
            if (tag.equals("set")) {
                return setFromJson(json.get(1), where);
            }
            if (tag.equals("map")) {
                return mapFromJson(json.get(1), where);
            }
        }
        return atomFromJson(json, where);
    }

    public static Atom atomFromJson(JsonNode json, String where) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            throw new OvsdbProtocolException(where + ": missing value");
        }
        if (json.isTextual()) {
            return new Atom.Str(json.asText());
        }
        if (json.isBoolean()) {
            return new Atom.Bool(json.asBoolean());
        }
        if (json.isIntegralNumber()) {
            if (!json.canConvertToLong()) {
                throw new OvsdbProtocolException(where + ": integer " + json + " does not fit in 64 bits");
            }
            return new Atom.Int(json.asLong());
        }
        if (json.isNumber()) {
            return new Atom.Real(json.asDouble());
        }
        if (json.isArray() && json.size() == 2 && json.get(0).isTextual() && json.get(1).isTextual()) {
            String tag = json.get(0).asText();
            String text = json.get(1).asText();
            if (tag.equals("uuid")) {
                try {
                    return Uuid.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new OvsdbProtocolException(where + ": bad uuid " + json, e);
                }
            }
            if (tag.equals("named-uuid")) {
                try {
                    return new NamedUuid(text);
                } catch (IllegalArgumentException e) {
                    throw new OvsdbProtocolException(where + ": bad named-uuid " + json, e);
                }
            }
        }
        throw new OvsdbProtocolException(where + ": not an OVSDB atom: " + json);
    }

    private static OvsdbSet setFromJson(JsonNode elements, String where) {
        if (!elements.isArray()) {
            throw new OvsdbProtocolException(where + ": \"set\" needs an array of atoms, got " + elements);
        }
        LinkedHashSet<Atom> atoms = new LinkedHashSet<>();
        for (int i = 0; i < elements.size(); i++) {
            atoms.add(atomFromJson(elements.get(i), where + "[set " + i + "]"));
        }
        return new OvsdbSet(atoms);
    }

    private static OvsdbMap mapFromJson(JsonNode pairs, String where) {
        if (!pairs.isArray()) {
            throw new OvsdbProtocolException(where + ": \"map\" needs an array of pairs, got " + pairs);
        }
        Map<Atom, Atom> entries = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode pair = pairs.get(i);
            if (!pair.isArray() || pair.size() != 2) {
                throw new OvsdbProtocolException(where + ": map pair " + i + " is not [key, value]: " + pair);
            }
            entries.put(atomFromJson(pair.get(0), where + "[map key " + i + "]"),
                    atomFromJson(pair.get(1), where + "[map value " + i + "]"));
        }
        return new OvsdbMap(entries);
    }
}
