package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ipset restore} inputs. Set names are derived from their content ({@link PolicyNames#setName}),
 * so a set whose members change is a new set: it is created before the iptables transaction that
 * starts using it, and the old one destroyed after that transaction stopped using it; rules never
 * see a half-filled set. Sets found on the node that this enforcer did not fill itself (an earlier
 * agent run, which may have died half-way through a restore) are refilled through a temporary set
 * and {@code swap}, atomically for the rules using them. Pure.
 */
final class IpsetPlan {

    private IpsetPlan() {
    }

    /**
     * Creates the wanted sets missing from {@code existing}, refills those in {@code refill} (a
     * subset of existing), and first destroys leftover temporary sets.
     *
     * @return the input, or an empty string when there is nothing to do
     */
    static String prepare(Map<String, List<IpPrefix>> wanted, Collection<String> existing, Set<String> refill) {
        requireNonNull(wanted, "wanted");
        requireNonNull(existing, "existing");
        requireNonNull(refill, "refill");
        StringBuilder out = new StringBuilder();
        existing.stream().filter(s -> s.startsWith(PolicyNames.TEMP_SET_PREFIX)).sorted()
                .forEach(s -> out.append("destroy ").append(s).append('\n'));
        wanted.forEach((name, entries) -> {
            if (!existing.contains(name)) {
                fill(out, name, entries);
            } else if (refill.contains(name)) {
                String temp = PolicyNames.tempSetName(name);
                fill(out, temp, entries);
                out.append("swap ").append(temp).append(' ').append(name).append('\n');
                out.append("destroy ").append(temp).append('\n');
            }
        });
        return out.toString();
    }

    /** Destroys the sets of ours in {@code existing} that are not wanted (run after iptables stopped using them). */
    static String cleanup(Map<String, List<IpPrefix>> wanted, Collection<String> existing) {
        requireNonNull(wanted, "wanted");
        requireNonNull(existing, "existing");
        StringBuilder out = new StringBuilder();
        existing.stream().filter(s -> PolicyNames.isOwnSet(s) && !wanted.containsKey(s)).sorted()
                .forEach(s -> out.append("destroy ").append(s).append('\n'));
        return out.toString();
    }

    private static void fill(StringBuilder out, String name, List<IpPrefix> entries) {
        // maxelem: ipBlocks with many exceptions can exceed the default 65536 entries.
        out.append("create ").append(name).append(" hash:net family inet hashsize 1024 maxelem ")
                .append(Math.max(65536, entries.size())).append('\n');
        entries.forEach(e -> out.append("add ").append(name).append(' ').append(e).append('\n'));
    }
}
