package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.PortMatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A rule's {@code ports} as iptables matches, one per line the rule needs: per protocol either the
 * protocol alone (some entry names no port), one {@code -m tcp --dport P[:E]}, or {@code -m multiport
 * --dports} lists of at most {@value #MULTIPORT_SLOTS} slots (a range takes two). Written as
 * iptables-save prints them, so installed chains compare equal to generated ones.
 */
final class PortMatches {

    /** What xt_multiport holds (XT_MULTI_PORTS). */
    static final int MULTIPORT_SLOTS = 15;

    /** One line's protocol part ({@code -p tcp}) and port part (may be empty). */
    record Fragment(String protocol, String ports) {
        Fragment {
            requireNonNull(protocol, "protocol");
            requireNonNull(ports, "ports");
        }
    }

    private record Range(int first, int last) implements Comparable<Range> {
        @Override
        public int compareTo(Range o) {
            return first != o.first ? Integer.compare(first, o.first) : Integer.compare(last, o.last);
        }

        String text() {
            return first == last ? Integer.toString(first) : first + ":" + last;
        }

        int slots() {
            return first == last ? 1 : 2;
        }
    }

    private PortMatches() {
    }

    /** The fragments of {@code ports} (non-empty), in protocol order TCP, UDP, SCTP. */
    static List<Fragment> of(Collection<PortMatch> ports) {
        requireNonNull(ports, "ports");
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("ports must not be empty (a rule without ports matches every port)");
        }
        Map<Protocol, TreeSet<Range>> byProtocol = new EnumMap<>(Protocol.class);
        Map<Protocol, Boolean> anyPort = new EnumMap<>(Protocol.class);
        for (PortMatch p : ports) {
            if (p.port().isEmpty()) {
                anyPort.put(p.protocol(), true);
                continue;
            }
            int first = p.port().getAsInt();
            byProtocol.computeIfAbsent(p.protocol(), k -> new TreeSet<>())
                    .add(new Range(first, p.endPort().orElse(first)));
        }
        List<Fragment> out = new ArrayList<>();
        for (Protocol protocol : Protocol.values()) {
            String name = protocol.name().toLowerCase(Locale.ROOT);
            String proto = "-p " + name;
            if (anyPort.containsKey(protocol)) {
                out.add(new Fragment(proto, ""));
                continue;
            }
            TreeSet<Range> ranges = byProtocol.get(protocol);
            if (ranges == null) {
                continue;
            }
            if (ranges.size() == 1) {
                out.add(new Fragment(proto, "-m " + name + " --dport " + ranges.first().text()));
                continue;
            }
            List<String> chunk = new ArrayList<>();
            int slots = 0;
            for (Range r : ranges) {
                if (slots + r.slots() > MULTIPORT_SLOTS) {
                    out.add(multiport(proto, chunk));
                    chunk = new ArrayList<>();
                    slots = 0;
                }
                chunk.add(r.text());
                slots += r.slots();
            }
            out.add(multiport(proto, chunk));
        }
        return List.copyOf(out);
    }

    private static Fragment multiport(String proto, List<String> ports) {
        return new Fragment(proto, "-m multiport --dports " + String.join(",", ports));
    }
}
