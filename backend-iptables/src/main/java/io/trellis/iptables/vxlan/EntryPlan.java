package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The changes that turn the observed entries into the desired ones: delete what is not wanted any
 * more (by key: an entry whose key is still wanted is overwritten instead), write what is missing or
 * different. Pure; {@link KernelEntries#apply} carries it out.
 *
 * <p>Order, so that no route ever points at a VTEP the kernel cannot resolve: deletions go routes,
 * then ARP entries, then FDB entries; writes go FDB, ARP, routes.
 *
 * @param deletions entries to delete, in order
 * @param writes    entries to add or replace, in order
 */
record EntryPlan(List<KernelEntry> deletions, List<KernelEntry> writes) {
    EntryPlan {
        deletions = List.copyOf(requireNonNull(deletions, "deletions"));
        writes = List.copyOf(requireNonNull(writes, "writes"));
    }

    static EntryPlan between(Collection<? extends KernelEntry> observed, Collection<? extends KernelEntry> desired) {
        requireNonNull(observed, "observed");
        requireNonNull(desired, "desired");
        Set<Object> desiredKeys = new HashSet<>();
        desired.forEach(e -> desiredKeys.add(e.key()));
        Set<KernelEntry> present = new HashSet<>(observed);
        List<KernelEntry> deletions = new LinkedHashSet<KernelEntry>(observed).stream()
                .filter(e -> !desiredKeys.contains(e.key()))
                .sorted(Comparator.comparingInt(EntryPlan::deletionRank)).toList();
        List<KernelEntry> writes = new LinkedHashSet<KernelEntry>(desired).stream()
                .filter(e -> !present.contains(e))
                .sorted(Comparator.comparingInt(e -> -deletionRank(e))).toList();
        return new EntryPlan(deletions, writes);
    }

    boolean isEmpty() {
        return deletions.isEmpty() && writes.isEmpty();
    }

    private static int deletionRank(KernelEntry e) {
        if (e instanceof KernelEntry.PodRoute) {
            return 0;
        }
        return e instanceof KernelEntry.Arp ? 1 : 2;
    }
}
