package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.InterfaceName;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the driver keeps on disk about one attachment: enough to find, check and remove it after an
 * agent restart, and to tell a repeated ADD of the same attachment from a changed one.
 *
 * <p>Stored as {@code key=value} lines ({@link #encode}); {@code address} repeats, one line per
 * address. Values may not hold line breaks.
 *
 * @param attachment    the CNI attachment (container id, interface name) and its pod
 * @param hostInterface the host end of the veth pair, a port of the bridge
 * @param netns         the pod's network namespace path (CNI_NETNS)
 * @param addresses     the pod interface's addresses, as {@code address/prefixLength}
 * @param mac           the pod interface's MAC
 * @param mtu           the MTU of both veth ends
 */
public record AttachmentRecord(PodAttachment attachment, String hostInterface, Path netns, List<String> addresses,
        MacAddress mac, int mtu) {

    static final int VERSION = 1;

    public AttachmentRecord {
        requireNonNull(attachment, "attachment");
        requireNonNull(hostInterface, "hostInterface");
        requireNonNull(netns, "netns");
        addresses = List.copyOf(requireNonNull(addresses, "addresses"));
        requireNonNull(mac, "mac");
        InterfaceName.check(hostInterface);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("attachment " + attachment.containerId() + "/" + attachment.ifName()
                    + " has no address");
        }
        if (mtu < Mtu.MIN || mtu > Mtu.MAX) {
            throw new IllegalArgumentException("MTU must be " + Mtu.MIN + ".." + Mtu.MAX + ", got " + mtu);
        }
    }

    /** The record of the addresses IPAM gave (their gateways are not kept: the bridge holds them). */
    static List<String> cidrs(List<IpAddress> addresses) {
        return addresses.stream().map(IpAddress::cidr).toList();
    }

    /** The record as text, one {@code key=value} per line. */
    String encode() {
        Map<String, String> single = new LinkedHashMap<>();
        single.put("version", Integer.toString(VERSION));
        single.put("containerId", attachment.containerId());
        single.put("ifName", attachment.ifName());
        single.put("podNamespace", attachment.pod().namespace());
        single.put("podName", attachment.pod().name());
        single.put("hostInterface", hostInterface);
        single.put("netns", netns.toString());
        single.put("mac", mac.toString());
        single.put("mtu", Integer.toString(mtu));
        StringBuilder out = new StringBuilder("# trellis linux-bridge pod attachment\n");
        single.forEach((k, v) -> out.append(line(k, v)));
        addresses.forEach(a -> out.append(line("address", a)));
        return out.toString();
    }

    /**
     * Parses {@link #encode} output; {@code source} (the file) is named in errors, which also name
     * the line and field.
     */
    static AttachmentRecord decode(String text, String source) {
        requireNonNull(text, "text");
        requireNonNull(source, "source");
        Map<String, String> single = new LinkedHashMap<>();
        List<String> addresses = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected key=value, got '" + line + "'");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("address")) {
                addresses.add(value);
            } else if (single.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": field '" + key + "' repeated");
            }
        }
        Field f = new Field(single, source);
        int version = f.integer("version");
        if (version != VERSION) {
            throw new IllegalArgumentException(source + ": field 'version': unsupported version " + version
                    + " (this agent reads " + VERSION + ")");
        }
        for (String address : addresses) {
            f.parse("address", address, a -> {
                if (a.indexOf('/') < 0) {
                    throw new IllegalArgumentException("no prefix length");
                }
                return io.trellis.netlink.route.IpPrefix.parse(a); // a literal (no DNS) with its host bits
            });
        }
        PodAttachment attachment = f.parse("containerId", f.require("containerId"), id -> new PodAttachment(id,
                f.require("ifName"), new PodRef(f.require("podNamespace"), f.require("podName"))));
        MacAddress mac = f.parse("mac", f.require("mac"), MacAddress::parse);
        String host = f.parse("hostInterface", f.require("hostInterface"), InterfaceName::check);
        int mtu = f.integer("mtu");
        Path netns = f.parse("netns", f.require("netns"), Path::of);
        return f.parse("record", "", x -> new AttachmentRecord(attachment, host, netns, addresses, mac, mtu));
    }

    private static String line(String key, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("attachment field '" + key + "' holds a line break: '" + value + "'");
        }
        return key + "=" + value + "\n";
    }

    /** Field access with errors naming the source, the field and the value. */
    private record Field(Map<String, String> values, String source) {
        String require(String key) {
            return Optional.ofNullable(values.get(key))
                    .orElseThrow(() -> new IllegalArgumentException(source + ": field '" + key + "' is missing"));
        }

        int integer(String key) {
            return parse(key, require(key), Integer::parseInt);
        }

        <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": field '" + key + "': '" + value + "': " + e.getMessage(), e);
            }
        }
    }
}
