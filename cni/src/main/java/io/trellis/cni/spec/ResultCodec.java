package io.trellis.cni.spec;

import io.trellis.cni.json.JsonFieldException;
import io.trellis.cni.json.JsonObject;
import io.trellis.cni.model.CniDns;
import io.trellis.cni.model.CniInterface;
import io.trellis.cni.model.CniIp;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.model.CniRoute;
import io.trellis.cni.model.IpLiteral;
import io.trellis.spi.model.IpAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Converts between the version-neutral {@link CniResult} and the result JSON of each CNI version
 * (SPEC.md "Result" / "Section 5: Result Types"):
 * <ul>
 *   <li>0.3.0, 0.3.1, 0.4.0: {@code ips[].version} is "4" or "6"; interfaces carry name, mac, sandbox;
 *       routes carry dst, gw.</li>
 *   <li>1.0.0: no {@code ips[].version}.</li>
 *   <li>1.1.0: interfaces add mtu, socketPath, pciID; routes add mtu, advmss, priority, table, scope.</li>
 * </ul>
 * Fields a version cannot express are left out of that version's output. The agent protocol
 * carries results in the neutral form, which is the 1.1.0 layout without {@code cniVersion}.
 */
public final class ResultCodec {
    private ResultCodec() {
    }

    /** The result JSON for {@code version}, starting with {@code cniVersion}. */
    public static Map<String, Object> render(CniResult result, CniVersion version) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", version.text());
        renderBody(out, result, version, 0);
        return out;
    }

    /** The neutral form used on the agent protocol (no cniVersion, every field). */
    public static Map<String, Object> renderNeutral(CniResult result) {
        Map<String, Object> out = new LinkedHashMap<>();
        renderBody(out, result, CniVersion.latest(), 0);
        return out;
    }

    /**
     * Chaining: our result appended to the previous plugin's, in {@code version}'s format. The
     * previous result's JSON is kept member for member (nothing it carried is lost); our interfaces,
     * ips and routes follow its own, our ips' interface indexes shifted past its interfaces; its
     * dns wins when it has one.
     */
    public static Map<String, Object> merge(JsonObject prevResult, CniResult ours, CniVersion version) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", version.text());
        for (Map.Entry<String, Object> e : prevResult.members().entrySet()) {
            if (!e.getKey().equals("cniVersion")) {
                out.put(e.getKey(), e.getValue());
            }
        }
        int offset = prevResult.optArray("interfaces").size();
        Map<String, Object> mine = new LinkedHashMap<>();
        renderBody(mine, ours, version, offset);
        for (String key : List.of("interfaces", "ips", "routes")) {
            @SuppressWarnings("unchecked")
            List<Object> add = (List<Object>) mine.get(key);
            if (add != null) {
                List<Object> combined = new ArrayList<>(prevResult.optArray(key));
                combined.addAll(add);
                out.put(key, combined);
            }
        }
        if (!prevResult.has("dns") && mine.containsKey("dns")) {
            out.put("dns", mine.get("dns"));
        }
        return out;
    }

    private static void renderBody(Map<String, Object> out, CniResult result, CniVersion version, int indexOffset) {
        if (!result.interfaces().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (CniInterface i : result.interfaces()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", i.name());
                i.mac().ifPresent(v -> m.put("mac", v));
                if (version.hasRichInterfacesAndRoutes()) {
                    i.mtu().ifPresent(v -> m.put("mtu", (long) v));
                }
                i.sandbox().ifPresent(v -> m.put("sandbox", v));
                if (version.hasRichInterfacesAndRoutes()) {
                    i.socketPath().ifPresent(v -> m.put("socketPath", v));
                    i.pciId().ifPresent(v -> m.put("pciID", v));
                }
                list.add(m);
            }
            out.put("interfaces", list);
        }
        if (!result.ips().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (CniIp ip : result.ips()) {
                Map<String, Object> m = new LinkedHashMap<>();
                if (version.ipsCarryVersion()) {
                    m.put("version", Integer.toString(IpLiteral.family(ip.address().address())));
                }
                m.put("address", IpLiteral.formatCidr(ip.address().address(), ip.address().prefixLength()));
                ip.address().gateway().ifPresent(gw -> m.put("gateway", IpLiteral.format(gw)));
                ip.interfaceIndex().ifPresent(idx -> m.put("interface", (long) idx + indexOffset));
                list.add(m);
            }
            out.put("ips", list);
        }
        if (!result.routes().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (CniRoute r : result.routes()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dst", IpLiteral.formatCidr(r.destination(), r.prefixLength()));
                r.gateway().ifPresent(gw -> m.put("gw", IpLiteral.format(gw)));
                if (version.hasRichInterfacesAndRoutes()) {
                    r.mtu().ifPresent(v -> m.put("mtu", (long) v));
                    r.advmss().ifPresent(v -> m.put("advmss", (long) v));
                    r.priority().ifPresent(v -> m.put("priority", (long) v));
                    r.table().ifPresent(v -> m.put("table", (long) v));
                    r.scope().ifPresent(v -> m.put("scope", (long) v));
                }
                list.add(m);
            }
            out.put("routes", list);
        }
        result.dns().filter(d -> !d.isEmpty()).ifPresent(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            if (!d.nameservers().isEmpty()) {
                m.put("nameservers", d.nameservers());
            }
            d.domain().ifPresent(v -> m.put("domain", v));
            if (!d.search().isEmpty()) {
                m.put("search", d.search());
            }
            if (!d.options().isEmpty()) {
                m.put("options", d.options());
            }
            out.put("dns", m);
        });
    }

    /**
     * Reads a result of any supported version (a prevResult) or the neutral form. Throws
     * {@link JsonFieldException} naming the member at fault. An {@code ips[].version} (0.3.x/0.4.0)
     * that contradicts its address is an error; a missing one is implied by the address, and
     * members newer than the document's version are read all the same.
     */
    public static CniResult parse(JsonObject json) {
        List<CniInterface> interfaces = new ArrayList<>();
        for (JsonObject i : json.optObjects("interfaces")) {
            String name = i.requireString("name");
            try {
                interfaces.add(new CniInterface(name, i.optString("mac"), i.optInt("mtu"), i.optString("sandbox"),
                        i.optString("socketPath"), i.optString("pciID")));
            } catch (IllegalArgumentException e) {
                throw new JsonFieldException(i.path(), e.getMessage());
            }
        }
        List<CniIp> ips = new ArrayList<>();
        for (JsonObject ip : json.optObjects("ips")) {
            IpLiteral.Cidr cidr = cidr(ip, "address");
            Optional<InetAddress> gateway = ip.optString("gateway").map(g -> address(ip, "gateway", g));
            Optional<String> v = ip.optString("version");
            String family = Integer.toString(IpLiteral.family(cidr.address()));
            if (v.isPresent() && !v.get().equals(family)) {
                throw new JsonFieldException(ip.pathOf("version"), "is \"" + v.get() + "\" but address "
                        + ip.requireString("address") + " is IPv" + family);
            }
            OptionalInt index = ip.optInt("interface");
            if (index.isPresent() && (index.getAsInt() < 0 || index.getAsInt() >= interfaces.size())) {
                throw new JsonFieldException(ip.pathOf("interface"), "index " + index.getAsInt()
                        + " does not refer to one of the " + interfaces.size() + " interface(s)");
            }
            try {
                ips.add(new CniIp(new IpAddress(cidr.address(), cidr.prefixLength(), gateway), index));
            } catch (IllegalArgumentException e) {
                throw new JsonFieldException(ip.path(), e.getMessage());
            }
        }
        List<CniRoute> routes = new ArrayList<>();
        for (JsonObject r : json.optObjects("routes")) {
            IpLiteral.Cidr dst = cidr(r, "dst");
            Optional<InetAddress> gw = r.optString("gw").map(g -> address(r, "gw", g));
            try {
                routes.add(new CniRoute(dst.address(), dst.prefixLength(), gw, r.optInt("mtu"), r.optInt("advmss"),
                        r.optInt("priority"), r.optInt("table"), r.optInt("scope")));
            } catch (IllegalArgumentException e) {
                throw new JsonFieldException(r.path(), e.getMessage());
            }
        }
        Optional<CniDns> dns = json.optObject("dns").map(d -> new CniDns(d.optStrings("nameservers"),
                d.optString("domain"), d.optStrings("search"), d.optStrings("options")));
        return new CniResult(interfaces, ips, routes, dns);
    }

    private static IpLiteral.Cidr cidr(JsonObject o, String key) {
        String text = o.requireString(key);
        try {
            return IpLiteral.parseCidr(text);
        } catch (IllegalArgumentException e) {
            throw new JsonFieldException(o.pathOf(key), e.getMessage());
        }
    }

    private static InetAddress address(JsonObject o, String key, String text) {
        try {
            return IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new JsonFieldException(o.pathOf(key), e.getMessage());
        }
    }
}
