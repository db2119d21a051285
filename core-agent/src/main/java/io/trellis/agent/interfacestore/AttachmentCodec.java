package io.trellis.agent.interfacestore;

import io.trellis.cni.json.JsonFieldException;
import io.trellis.cni.json.JsonObject;
import io.trellis.cni.json.JsonWriter;
import io.trellis.cni.model.IpLiteral;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Route;
import io.trellis.spi.pod.InterfaceInfo;
import io.trellis.spi.pod.PodInterfaces;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The on-disk form of an {@link AttachmentRecord} (format version 1), one JSON object per file:
 *
 * <pre>{@code
 * {"version":1,"containerId":"c1","ifName":"eth0","pod":{"namespace":"x","name":"a"},"netns":"/var/run/netns/p1",
 *  "interfaces":{"host":{"name":"veth1a2b","mac":"..."},"pod":{"name":"eth0","mac":"...","sandbox":"/var/run/netns/p1"},
 *                "routes":[{"dst":"0.0.0.0/0","gw":"10.244.1.1"}]}}
 * }</pre>
 *
 * Decoding is strict: an unknown or missing member, a wrong type or version is an error naming the
 * member's path and the value, so that a damaged file is never half-read.
 */
final class AttachmentCodec {
    static final int VERSION = 1;

    private AttachmentCodec() {
    }

    static String encode(AttachmentRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        PodAttachment a = record.attachment();
        out.put("version", VERSION);
        out.put("containerId", a.containerId());
        out.put("ifName", a.ifName());
        out.put("pod", Map.of("namespace", a.pod().namespace(), "name", a.pod().name()));
        out.put("netns", record.netns().toString());
        record.interfaces().ifPresent(i -> out.put("interfaces", encode(i)));
        return JsonWriter.write(out) + "\n";
    }

    private static Map<String, Object> encode(PodInterfaces interfaces) {
        Map<String, Object> out = new LinkedHashMap<>();
        interfaces.host().ifPresent(h -> out.put("host", encode(h)));
        out.put("pod", encode(interfaces.pod()));
        List<Object> routes = new ArrayList<>();
        for (Route r : interfaces.routes()) {
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("dst", r.destination().toString());
            r.gateway().ifPresent(gw -> route.put("gw", IpLiteral.format(gw)));
            routes.add(route);
        }
        out.put("routes", routes);
        return out;
    }

    private static Map<String, Object> encode(InterfaceInfo info) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", info.name());
        out.put("mac", info.mac().toString());
        info.sandbox().ifPresent(s -> out.put("sandbox", s.toString()));
        return out;
    }

    /** Parses a record; throws {@link JsonFieldException} (or the JSON reader's syntax error) naming what is wrong. */
    static AttachmentRecord decode(String text) {
        JsonObject json = JsonObject.parse(text, "attachment record");
        only(json, Set.of("version", "containerId", "ifName", "pod", "netns", "interfaces"));
        int version = json.optInt("version").orElseThrow(() -> new JsonFieldException("version", "is required"));
        if (version != VERSION) {
            throw new JsonFieldException("version", "expected " + VERSION + ", got " + version);
        }
        JsonObject pod = json.optObject("pod").orElseThrow(() -> new JsonFieldException("pod", "is required"));
        only(pod, Set.of("namespace", "name"));
        PodAttachment attachment = checked("containerId", () -> new PodAttachment(json.requireString("containerId"),
                json.requireString("ifName"), new PodRef(pod.requireString("namespace"), pod.requireString("name"))));
        Path netns = Path.of(json.requireString("netns"));
        Optional<PodInterfaces> interfaces = json.optObject("interfaces").map(AttachmentCodec::interfaces);
        return new AttachmentRecord(attachment, netns, interfaces);
    }

    private static PodInterfaces interfaces(JsonObject json) {
        only(json, Set.of("host", "pod", "routes"));
        Optional<InterfaceInfo> host = json.optObject("host").map(AttachmentCodec::info);
        InterfaceInfo pod = info(json.optObject("pod").orElseThrow(() -> new JsonFieldException(json.pathOf("pod"),
                "is required")));
        List<Route> routes = new ArrayList<>();
        for (JsonObject r : json.optObjects("routes")) {
            only(r, Set.of("dst", "gw"));
            IpPrefix dst = checked(r.pathOf("dst"), () -> IpPrefix.parse(r.requireString("dst")));
            Optional<InetAddress> gw = r.optString("gw").map(text -> checked(r.pathOf("gw"), () -> IpLiteral.parse(text)));
            routes.add(checked(r.path(), () -> new Route(dst, gw)));
        }
        return checked(json.path(), () -> new PodInterfaces(host, pod, routes));
    }

    private static InterfaceInfo info(JsonObject json) {
        only(json, Set.of("name", "mac", "sandbox"));
        MacAddress mac = checked(json.pathOf("mac"), () -> MacAddress.parse(json.requireString("mac")));
        Optional<Path> sandbox = json.optString("sandbox").map(Path::of);
        return checked(json.path(), () -> new InterfaceInfo(json.requireString("name"), mac, sandbox));
    }

    private static void only(JsonObject json, Set<String> known) {
        for (String key : json.members().keySet()) {
            if (!known.contains(key)) {
                throw new JsonFieldException(json.pathOf(key), "unknown member (known: " + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** Runs a value constructor, turning its validation error into one naming the member. */
    private static <T> T checked(String path, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new JsonFieldException(path, e.getMessage());
        }
    }
}
