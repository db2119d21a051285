package io.trellis.ipam.hostlocal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON of the state files (format version 1, described in the module README). Decoding is strict: a missing or
 * unknown field, a wrong type or an inconsistent value is an error naming the field and the value, because a state
 * file this code did not write must not be half-understood.
 */
final class StateCodec {
    static final int VERSION = 1;

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    byte[] encodeAllocation(StoredAllocation allocation) {
        ObjectNode root = mapper.createObjectNode();
        root.put("version", VERSION);
        root.put("containerId", allocation.attachment().containerId());
        root.put("ifName", allocation.attachment().ifName());
        ObjectNode pod = root.putObject("pod");
        pod.put("namespace", allocation.attachment().pod().namespace());
        pod.put("name", allocation.attachment().pod().name());
        ArrayNode addresses = root.putArray("addresses");
        for (RangeAddress a : allocation.addresses()) {
            ObjectNode entry = addresses.addObject();
            entry.put("cidr", a.range().cidr().toString());
            entry.put("address", IpLiterals.format(a.address()));
            entry.put("gateway", IpLiterals.format(a.range().gateway()));
        }
        return write(root);
    }

    StoredAllocation decodeAllocation(byte[] content) throws StateFormatException {
        JsonNode root = read(content);
        checkFields(root, "", Set.of("version", "containerId", "ifName", "pod", "addresses"));
        checkVersion(root);
        JsonNode pod = object(root, "pod");
        checkFields(pod, "pod.", Set.of("namespace", "name"));
        JsonNode addressesNode = root.get("addresses");
        if (addressesNode == null || !addressesNode.isArray() || addressesNode.isEmpty()) {
            throw new StateFormatException("field 'addresses': expected a non-empty array, got " + addressesNode);
        }
        List<RangeAddress> addresses = new ArrayList<>();
        for (int i = 0; i < addressesNode.size(); i++) {
            String prefix = "addresses[" + i + "].";
            JsonNode entry = addressesNode.get(i);
            if (!entry.isObject()) {
                throw new StateFormatException("field '" + prefix.substring(0, prefix.length() - 1) + "': expected an object, got " + entry);
            }
            checkFields(entry, prefix, Set.of("cidr", "address", "gateway"));
            HostRange range = parse(prefix + "cidr", string(entry, "cidr", prefix), text -> new HostRange(Cidr.parse(text)));
            InetAddress address = parse(prefix + "address", string(entry, "address", prefix), IpLiterals::parse);
            InetAddress gateway = parse(prefix + "gateway", string(entry, "gateway", prefix), IpLiterals::parse);
            if (!gateway.equals(range.gateway())) {
                throw new StateFormatException("field '" + prefix + "gateway': " + IpLiterals.format(gateway)
                        + " is not the gateway of " + range.cidr() + " (" + IpLiterals.format(range.gateway()) + ")");
            }
            addresses.add(parse(prefix + "address", IpLiterals.format(address), text -> new RangeAddress(range, address)));
        }
        PodRef podRef = parse("pod", string(pod, "namespace", "pod.") + "/" + string(pod, "name", "pod."),
                text -> new PodRef(pod.get("namespace").asText(), pod.get("name").asText()));
        PodAttachment attachment = parse("containerId/ifName", string(root, "containerId", "") + "/" + string(root, "ifName", ""),
                text -> new PodAttachment(root.get("containerId").asText(), root.get("ifName").asText(), podRef));
        return parse("addresses", addressesNode.toString(), text -> new StoredAllocation(attachment, addresses));
    }

    byte[] encodeCursors(Map<Cidr, InetAddress> lastReserved) {
        ObjectNode root = mapper.createObjectNode();
        root.put("version", VERSION);
        ObjectNode cursors = root.putObject("lastReserved");
        lastReserved.forEach((cidr, address) -> cursors.put(cidr.toString(), IpLiterals.format(address)));
        return write(root);
    }

    Map<Cidr, InetAddress> decodeCursors(byte[] content) throws StateFormatException {
        JsonNode root = read(content);
        checkFields(root, "", Set.of("version", "lastReserved"));
        checkVersion(root);
        JsonNode cursors = object(root, "lastReserved");
        Map<Cidr, InetAddress> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : cursors.properties()) {
            String field = "lastReserved." + e.getKey();
            Cidr cidr = parse(field, e.getKey(), Cidr::parse);
            if (!e.getValue().isTextual()) {
                throw new StateFormatException("field '" + field + "': expected an address string, got " + e.getValue());
            }
            InetAddress address = parse(field, e.getValue().asText(), IpLiterals::parse);
            if (!cidr.contains(address)) {
                throw new StateFormatException("field '" + field + "': " + e.getValue().asText() + " is not in " + cidr);
            }
            result.put(cidr, address);
        }
        return result;
    }

    private byte[] write(ObjectNode root) {
        try {
            byte[] json = mapper.writeValueAsBytes(root);
            byte[] withNewline = new byte[json.length + 1];
            System.arraycopy(json, 0, withNewline, 0, json.length);
            withNewline[json.length] = '\n';
            return withNewline;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private JsonNode read(byte[] content) throws StateFormatException {
        if (content.length == 0) {
            throw new StateFormatException("the file is empty");
        }
        JsonNode root;
        try {
            root = mapper.readTree(content);
        } catch (JsonProcessingException e) {
            throw new StateFormatException("not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr()), e);
        } catch (IOException e) {
            throw new StateFormatException("not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new StateFormatException("expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
        }
        return root;
    }

    private static void checkVersion(JsonNode root) throws StateFormatException {
        JsonNode version = root.get("version");
        if (version == null || !version.isInt() || version.intValue() != VERSION) {
            throw new StateFormatException("field 'version': expected " + VERSION + ", got " + version);
        }
    }

    private static void checkFields(JsonNode node, String prefix, Set<String> known) throws StateFormatException {
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            String name = property.getKey();
            if (!known.contains(name)) {
                throw new StateFormatException("unknown field '" + prefix + name + "'");
            }
        }
    }

    private static JsonNode object(JsonNode parent, String field) throws StateFormatException {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw new StateFormatException("field '" + field + "': expected an object, got " + node);
        }
        return node;
    }

    private static String string(JsonNode parent, String field, String prefix) throws StateFormatException {
        JsonNode node = parent.get(field);
        if (node == null || !node.isTextual()) {
            throw new StateFormatException("field '" + prefix + field + "': expected a string, got " + node);
        }
        return node.asText();
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(String field, String text, Parser<T> parser) throws StateFormatException {
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new StateFormatException("field '" + field + "': " + e.getMessage(), e);
        }
    }
}
