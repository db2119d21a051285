package io.trellis.ovs.ovsdb;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test helper: parses {@code ovs-vsctl show}, whose layout is fixed by indentation: 4 spaces for
 * "Bridge NAME", 8 for bridge properties and "Port NAME", 12 for "Interface NAME" and port
 * properties, 16 for interface properties ("type: geneve", "options: {key=flow, remote_ip=flow}").
 */
record VsctlShow(Map<String, Bridge> bridges) {

    record Bridge(Map<String, String> properties, Map<String, Port> ports) {
    }

    record Port(Map<String, String> properties, Map<String, Map<String, String>> interfaces) {
    }

    static VsctlShow parse(String text) {
        Map<String, Bridge> bridges = new LinkedHashMap<>();
        Bridge bridge = null;
        Port port = null;
        Map<String, String> iface = null;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            String content = line.strip();
            if (indent == 4 && content.startsWith("Bridge ")) {
                bridge = new Bridge(new LinkedHashMap<>(), new LinkedHashMap<>());
                bridges.put(unquote(content.substring("Bridge ".length())), bridge);
                port = null;
                iface = null;
            } else if (indent == 8 && bridge != null && content.startsWith("Port ")) {
                port = new Port(new LinkedHashMap<>(), new LinkedHashMap<>());
                bridge.ports().put(unquote(content.substring("Port ".length())), port);
                iface = null;
            } else if (indent == 8 && bridge != null) {
                putProperty(bridge.properties(), content);
            } else if (indent == 12 && port != null && content.startsWith("Interface ")) {
                iface = new LinkedHashMap<>();
                port.interfaces().put(unquote(content.substring("Interface ".length())), iface);
            } else if (indent == 12 && port != null) {
                putProperty(port.properties(), content);
            } else if (indent == 16 && iface != null) {
                putProperty(iface, content);
            }
        }
        return new VsctlShow(bridges);
    }

    private static void putProperty(Map<String, String> into, String content) {
        int colon = content.indexOf(": ");
        if (colon > 0) {
            into.put(content.substring(0, colon), content.substring(colon + 2));
        } else {
            into.put(content, "");
        }
    }

    private static String unquote(String s) {
        return s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
