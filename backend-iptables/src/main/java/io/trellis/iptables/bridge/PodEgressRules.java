package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's iptables rules for pod traffic, as {@code iptables-restore --noflush} input, in chains of
 * their own:
 * <ul>
 *   <li>nat {@value #NAT_CHAIN}, jumped to from POSTROUTING for packets from the pod CIDR: destinations
 *       in {@link #keepSource()} (the pod CIDR, the cluster CIDR) RETURN, anything else is MASQUERADEd,
 *       so pods reach the world with the node's address. Only with {@code masquerade}.</li>
 *   <li>filter {@value #FORWARD_CHAIN}, jumped to from the end of FORWARD: accepts traffic from and
 *       to the pod CIDR, so a FORWARD policy of DROP (Docker sets one) does not cut pods off; with
 *       bridge netfilter on, even pod-to-pod traffic on the bridge passes FORWARD. Appended, not
 *       inserted: policy chains put before it still decide first.</li>
 * </ul>
 * The input is computed from the current tables, so applying it is idempotent: declaring an own chain
 * with {@code --noflush} flushes and refills it in the same atomic commit, and a jump is added only
 * when the exact one is missing (altered or duplicate jumps are deleted first).
 *
 * @param podCidr    this node's pod CIDR (IPv4)
 * @param keepSource destinations that see pod addresses unchanged; always holds the pod CIDR
 * @param masquerade whether to masquerade at all (without it the nat chain is removed)
 */
record PodEgressRules(IpPrefix podCidr, List<IpPrefix> keepSource, boolean masquerade) {

    static final String NAT_CHAIN = "TRELLIS-MASQ";
    static final String FORWARD_CHAIN = "TRELLIS-POD-FORWARD";

    private static final String FORWARD_JUMP = "-m comment --comment \"trellis: forward pod traffic\" -j " + FORWARD_CHAIN;

    PodEgressRules {
        requireNonNull(podCidr, "podCidr");
        keepSource = List.copyOf(requireNonNull(keepSource, "keepSource"));
        if (!podCidr.isIpv4()) {
            throw new IllegalArgumentException("podCidr must be IPv4 (iptables, not ip6tables), got " + podCidr);
        }
        if (!keepSource.contains(podCidr)) {
            throw new IllegalArgumentException("keepSource " + keepSource + " must include the pod CIDR " + podCidr
                    + ": pod-to-pod traffic keeps its addresses");
        }
        for (IpPrefix p : keepSource) {
            if (!p.isIpv4()) {
                throw new IllegalArgumentException("keepSource must be IPv4 CIDRs, got " + p);
            }
        }
    }

    /** The rules of a node: its pod CIDR keeps its source, and the cluster CIDR too when known. */
    static PodEgressRules of(IpPrefix podCidr, BridgeSettings settings) {
        List<IpPrefix> keep = new ArrayList<>(List.of(podCidr));
        settings.clusterCidr().filter(c -> !c.equals(podCidr)).ifPresent(keep::add);
        return new PodEgressRules(podCidr, keep, settings.masquerade());
    }

    /** The POSTROUTING rule sending pod traffic to {@value #NAT_CHAIN}, as iptables-save prints it. */
    String natJump() {
        return "-s " + podCidr + " -m comment --comment \"trellis: masquerade pod egress\" -j " + NAT_CHAIN;
    }

    /** The rules of {@value #NAT_CHAIN}, as iptables-save prints them (after {@code -A CHAIN}). */
    List<String> natRules() {
        List<String> out = new ArrayList<>();
        for (IpPrefix destination : keepSource) {
            out.add("-d " + destination + " -m comment --comment \"trellis: keep pod source\" -j RETURN");
        }
        out.add("-m comment --comment \"trellis: pod egress\" -j MASQUERADE");
        return out;
    }

    /** The rules of {@value #FORWARD_CHAIN}, as iptables-save prints them. */
    List<String> forwardRules() {
        return List.of(
                "-s " + podCidr + " -m comment --comment \"trellis: from pods\" -j ACCEPT",
                "-d " + podCidr + " -m comment --comment \"trellis: to pods\" -j ACCEPT");
    }

    /** The restore input making the tables hold exactly these rules, given what they hold now. */
    String installInput(SavedTable nat, SavedTable filter) {
        requireTable(nat, "nat");
        requireTable(filter, "filter");
        StringBuilder in = new StringBuilder();
        if (masquerade) {
            in.append("*nat\n:").append(NAT_CHAIN).append(" - [0:0]\n");
            natRules().forEach(r -> in.append("-A ").append(NAT_CHAIN).append(' ').append(r).append('\n'));
            // First in POSTROUTING: its RETURNs fall through to whatever comes after, so it takes nothing away.
            ensureSingleJump(in, nat, "POSTROUTING", NAT_CHAIN, natJump(), true);
            in.append("COMMIT\n");
        } else {
            in.append(removalInput(nat, NAT_CHAIN));
        }
        in.append("*filter\n:").append(FORWARD_CHAIN).append(" - [0:0]\n");
        forwardRules().forEach(r -> in.append("-A ").append(FORWARD_CHAIN).append(' ').append(r).append('\n'));
        ensureSingleJump(in, filter, "FORWARD", FORWARD_CHAIN, FORWARD_JUMP, false);
        in.append("COMMIT\n");
        return in.toString();
    }

    /**
     * The restore input removing both chains and every rule jumping to them; empty when neither table
     * holds anything of ours (so uninstalling does not even create a table that was never used).
     */
    static String uninstallInput(SavedTable nat, SavedTable filter) {
        requireTable(nat, "nat");
        requireTable(filter, "filter");
        return removalInput(nat, NAT_CHAIN) + removalInput(filter, FORWARD_CHAIN);
    }

    /** Whether the tables hold exactly these rules (chains, rule order, one jump each). */
    boolean installedIn(SavedTable nat, SavedTable filter) {
        boolean natOk = masquerade
                ? words(nat.rulesOf(NAT_CHAIN)).equals(wordsOf(natRules())) && singleJump(nat, "POSTROUTING", NAT_CHAIN, natJump())
                : !nat.hasChain(NAT_CHAIN) && nat.jumpsTo(NAT_CHAIN).isEmpty();
        return natOk && words(filter.rulesOf(FORWARD_CHAIN)).equals(wordsOf(forwardRules()))
                && singleJump(filter, "FORWARD", FORWARD_CHAIN, FORWARD_JUMP);
    }

    private static String removalInput(SavedTable table, String chain) {
        List<SavedTable.Rule> jumps = table.jumpsTo(chain);
        if (jumps.isEmpty() && !table.hasChain(chain)) {
            return "";
        }
        StringBuilder in = new StringBuilder("*").append(table.name()).append('\n');
        jumps.forEach(j -> in.append("-D ").append(j.chain()).append(' ').append(j.spec()).append('\n'));
        // Declaring the chain flushes it (or creates it, harmlessly), so -X finds it empty.
        in.append(':').append(chain).append(" - [0:0]\n-X ").append(chain).append('\n');
        return in.append("COMMIT\n").toString();
    }

    private static void ensureSingleJump(StringBuilder in, SavedTable table, String from, String chain, String spec,
            boolean first) {
        if (singleJump(table, from, chain, spec)) {
            return;
        }
        table.jumpsTo(chain).forEach(j -> in.append("-D ").append(j.chain()).append(' ').append(j.spec()).append('\n'));
        in.append(first ? "-I " + from + " 1 " : "-A " + from + " ").append(spec).append('\n');
    }

    private static boolean singleJump(SavedTable table, String from, String chain, String spec) {
        List<SavedTable.Rule> jumps = table.jumpsTo(chain);
        return jumps.size() == 1 && jumps.get(0).chain().equals(from)
                && jumps.get(0).words().equals(SavedTable.words(spec));
    }

    private static List<List<String>> words(List<SavedTable.Rule> rules) {
        return rules.stream().map(SavedTable.Rule::words).toList();
    }

    private static List<List<String>> wordsOf(List<String> specs) {
        return specs.stream().map(SavedTable::words).toList();
    }

    private static void requireTable(SavedTable table, String name) {
        requireNonNull(table, name);
        if (!table.name().equals(name)) {
            throw new IllegalArgumentException("expected the " + name + " table, got " + table.name());
        }
    }
}
