package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One flow update printed by {@code ovs-ofctl monitor SWITCH watch:} (OpenFlow 1.5 flow monitor), e.g.
 * {@code  event=DELETED reason=delete table=8 cookie=0x7472080d0af40002 ip,nw_dst=10.244.0.2}, with the
 * {@link System#nanoTime()} at which this process read it.
 *
 * @param event INITIAL (the flows present when the monitor started), ADDED, DELETED or MODIFIED
 * @param rest  the match and actions as printed (priority is not printed by OVS 3.1's monitor)
 */
record FlowEvent(long nanos, String event, int table, long cookie, String rest) {
    private static final Pattern LINE = Pattern.compile(
            "^\\s*event=([A-Z]+)(?: reason=\\S+)? table=(\\d+) cookie=0x([0-9a-f]+)(?: (.*))?$");
    /** Cookie kind of the default-deny flow of an isolated pod (CookieScheme.KIND_POLICY_ISOLATION). */
    static final int KIND_POLICY_ISOLATION = 0x08;

    FlowEvent {
        requireNonNull(event, "event");
        requireNonNull(rest, "rest");
    }

    /** The update a monitor line describes; empty for the other lines (reply headers, pauses). */
    static Optional<FlowEvent> parse(String line, long nanos) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new FlowEvent(nanos, m.group(1), Integer.parseInt(m.group(2)),
                Long.parseUnsignedLong(m.group(3), 16), m.group(4) == null ? "" : m.group(4).strip()));
    }

    boolean added() {
        return event.equals("ADDED") || event.equals("INITIAL");
    }

    boolean deleted() {
        return event.equals("DELETED");
    }

    /** The cookie's kind byte (bits 40..47 of Trellis cookies). */
    int cookieKind() {
        return (int) (cookie >>> 40) & 0xff;
    }

    /** Whether this is the default-deny flow of the isolated pod {@code ip} (the cookie's object is its address). */
    boolean isolates(String ip) {
        return cookieKind() == KIND_POLICY_ISOLATION && (cookie & 0xffff_ffffL) == ipv4Bits(ip);
    }

    /** Whether the match has {@code nw_src=ip} (a /32 peer of an ingress rule). */
    boolean fromSource(String ip) {
        return matchesField("nw_src=" + ip);
    }

    private boolean matchesField(String field) {
        String match = rest.split(" ", 2)[0];
        for (String part : match.split(",")) {
            if (part.equals(field)) {
                return true;
            }
        }
        return false;
    }

    static long ipv4Bits(String ip) {
        String[] octets = ip.split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + ip + "'");
        }
        long bits = 0;
        for (String octet : octets) {
            int v;
            try {
                v = Integer.parseInt(octet);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + ip + "'");
            }
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + ip + "'");
            }
            bits = bits << 8 | v;
        }
        return bits;
    }
}
