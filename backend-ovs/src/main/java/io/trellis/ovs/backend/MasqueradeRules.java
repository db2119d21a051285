package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.pipeline.Ipv4Subnet;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's iptables rules for pod egress, as {@code iptables-restore --noflush} input: an own nat
 * chain {@value #NAT_CHAIN} (jumped to from POSTROUTING) that masquerades traffic from the pod CIDR
 * to anywhere but {@link #nonMasqueradeDestinations()}, and an own filter chain
 * {@value #FORWARD_CHAIN} (jumped to from FORWARD) accepting traffic from and to the pod CIDR, so
 * a FORWARD policy of DROP (Docker sets one) does not cut the pods off.
 *
 * <p>The input is computed from the current tables so that applying it is idempotent: declaring a
 * user chain with {@code --noflush} flushes and refills it in the same atomic table commit, and the
 * jump rule is inserted only when it is missing (duplicates or altered copies are deleted first).
 *
 * @param podCidr                   the node's pod CIDR, the source of masqueraded traffic
 * @param nonMasqueradeDestinations destinations that see pod addresses unchanged; always holds the
 *                                  pod CIDR, and is the extension point for the cluster CIDR (other
 *                                  nodes' pods) and service CIDR once multi-node support arrives
 */
public record MasqueradeRules(Ipv4Subnet podCidr, List<Ipv4Subnet> nonMasqueradeDestinations) {

    /** The nat chain of these rules. */
    public static final String NAT_CHAIN = "TRELLIS-POSTROUTING";
    /** The filter chain of these rules. */
    public static final String FORWARD_CHAIN = "TRELLIS-FORWARD";

    private static final String NAT_JUMP = "-m comment --comment \"trellis: masquerade pod egress\" -j " + NAT_CHAIN;
    private static final String FORWARD_JUMP = "-m comment --comment \"trellis: forward pod traffic\" -j " + FORWARD_CHAIN;

    public MasqueradeRules {
        requireNonNull(podCidr, "podCidr");
        nonMasqueradeDestinations = List.copyOf(requireNonNull(nonMasqueradeDestinations, "nonMasqueradeDestinations"));
        if (!nonMasqueradeDestinations.contains(podCidr)) {
            throw new IllegalArgumentException("nonMasqueradeDestinations " + nonMasqueradeDestinations
                    + " must include the pod CIDR " + podCidr + ": pod-to-pod traffic keeps its addresses");
        }
    }

    /** Masquerades everything from the pod CIDR that leaves it. */
    public static MasqueradeRules forPodCidr(Ipv4Subnet podCidr) {
        return new MasqueradeRules(podCidr, List.of(requireNonNull(podCidr, "podCidr")));
    }

    /** These rules plus one more destination that keeps pod source addresses (e.g. the cluster CIDR). */
    public MasqueradeRules withNonMasqueradeDestination(Ipv4Subnet destination) {
        requireNonNull(destination, "destination");
        if (nonMasqueradeDestinations.contains(destination)) {
            return this;
        }
        List<Ipv4Subnet> more = new ArrayList<>(nonMasqueradeDestinations);
        more.add(destination);
        return new MasqueradeRules(podCidr, more);
    }

    /** The restore input that makes the tables hold exactly these rules, given what they hold now. */
    String installInput(IptablesTable nat, IptablesTable filter) {
        requireTable(nat, "nat");
        requireTable(filter, "filter");
        StringBuilder in = new StringBuilder();
        in.append("*nat\n");
        in.append(':').append(NAT_CHAIN).append(" - [0:0]\n");
        for (Ipv4Subnet destination : nonMasqueradeDestinations) {
            in.append("-A ").append(NAT_CHAIN).append(" -d ").append(destination)
                    .append(" -m comment --comment \"trellis: keep pod source\" -j RETURN\n");
        }
        in.append("-A ").append(NAT_CHAIN).append(" -s ").append(podCidr)
                .append(" -m comment --comment \"trellis: pod egress\" -j MASQUERADE\n");
        ensureSingleJump(in, nat, "POSTROUTING", NAT_CHAIN, NAT_JUMP);
        in.append("COMMIT\n");

        in.append("*filter\n");
        in.append(':').append(FORWARD_CHAIN).append(" - [0:0]\n");
        in.append("-A ").append(FORWARD_CHAIN).append(" -s ").append(podCidr).append(" -j ACCEPT\n");
        in.append("-A ").append(FORWARD_CHAIN).append(" -d ").append(podCidr).append(" -j ACCEPT\n");
        ensureSingleJump(in, filter, "FORWARD", FORWARD_CHAIN, FORWARD_JUMP);
        in.append("COMMIT\n");
        return in.toString();
    }

    /**
     * The restore input removing both chains and every rule jumping to them; empty when neither table
     * holds anything of ours (so an uninstall does not even create a table that was never used).
     */
    static String uninstallInput(IptablesTable nat, IptablesTable filter) {
        requireTable(nat, "nat");
        requireTable(filter, "filter");
        return nat.removalInput(NAT_CHAIN) + filter.removalInput(FORWARD_CHAIN);
    }

    /** Keeps one jump from {@code from} to {@code chain} with exactly {@code spec}, first in its chain when added. */
    private static void ensureSingleJump(StringBuilder in, IptablesTable table, String from, String chain, String spec) {
        List<IptablesTable.Rule> jumps = table.jumpsTo(chain);
        IptablesTable.Rule wanted = new IptablesTable.Rule(from, spec);
        boolean exactlyOurs = jumps.size() == 1 && jumps.get(0).chain().equals(from)
                && jumps.get(0).arguments().equals(wanted.arguments());
        if (exactlyOurs) {
            return;
        }
        for (IptablesTable.Rule jump : jumps) {
            in.append("-D ").append(jump.chain()).append(' ').append(jump.spec()).append('\n');
        }
        // First, so that host rules written before the pod network existed do not decide pod traffic.
        in.append("-I ").append(from).append(" 1 ").append(spec).append('\n');
    }

    private static void requireTable(IptablesTable table, String name) {
        requireNonNull(table, name);
        if (!table.name().equals(name)) {
            throw new IllegalArgumentException("expected the " + name + " table, got " + table.name());
        }
    }
}
