package io.trellis.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmark reads back from {@code iptables-save -t nat} on the kernel data plane: how many
 * chains of the Service proxy exist ({@code TRELLIS-SVC-}: one per Service port, {@code TRELLIS-SEP-}:
 * one per Service port and endpoint), how many rules, which SVC chain a cluster IP and port jump to
 * and where each SEP chain DNATs. Pure parsing of the tool's text, tested without a kernel.
 */
record IptablesNat(long svcChains, long sepChains, long rules, Map<String, String> frontendChains,
                   Map<String, String> sepTargets) {
    static final String SVC = "TRELLIS-SVC-";
    static final String SEP = "TRELLIS-SEP-";
    /** Per-Service chains are hash-named: {@code TRELLIS-SVC-} + 16 base32 characters. */
    private static final Pattern SVC_CHAIN = Pattern.compile("TRELLIS-SVC-[A-Z2-7]{16}");
    private static final Pattern SEP_CHAIN = Pattern.compile("TRELLIS-SEP-[A-Z2-7]{16}");
    private static final Pattern FRONTEND = Pattern.compile(
            "^-A TRELLIS-SERVICES -d (\\d{1,3}(?:\\.\\d{1,3}){3})/32 .*--dport (\\d+) -j (TRELLIS-SVC-[A-Z2-7]{16})\\s*$");
    private static final Pattern DNAT = Pattern.compile(
            "^-A (TRELLIS-SEP-[A-Z2-7]{16}) .*-j DNAT --to-destination (\\d{1,3}(?:\\.\\d{1,3}){3}:\\d+)\\s*$");
    private static final Pattern JUMP = Pattern.compile("-j (TRELLIS-SEP-[A-Z2-7]{16})\\s*$");

    IptablesNat {
        frontendChains = Map.copyOf(frontendChains);
        sepTargets = Map.copyOf(sepTargets);
    }

    static IptablesNat parse(String save) {
        long svc = 0;
        long sep = 0;
        long rules = 0;
        Map<String, String> frontends = new HashMap<>();
        Map<String, String> targets = new HashMap<>();
        for (String line : save.lines().toList()) {
            if (line.startsWith(":")) {
                String chain = line.substring(1, line.indexOf(' ') < 0 ? line.length() : line.indexOf(' '));
                if (SVC_CHAIN.matcher(chain).matches()) {
                    svc++;
                } else if (SEP_CHAIN.matcher(chain).matches()) {
                    sep++;
                }
            } else if (line.startsWith("-A ")) {
                rules++;
                if (line.startsWith("-A TRELLIS-SERVICES ")) {
                    Matcher m = FRONTEND.matcher(line);
                    if (m.matches()) {
                        frontends.put(m.group(1) + ":" + m.group(2), m.group(3));
                    }
                } else if (line.startsWith("-A " + SEP)) {
                    Matcher m = DNAT.matcher(line);
                    if (m.matches()) {
                        targets.put(m.group(1), m.group(2));
                    }
                }
            }
        }
        return new IptablesNat(svc, sep, rules, frontends, targets);
    }

    /** Only the chain counts (the observer's cheap pass over a large dump). */
    static PlaneCounts counts(String save) {
        long svc = 0;
        long sep = 0;
        for (String line : save.lines().toList()) {
            if (line.startsWith(":" + SVC) && SVC_CHAIN.matcher(line.substring(1).split(" ", 2)[0]).matches()) {
                svc++;
            } else if (line.startsWith(":" + SEP) && SEP_CHAIN.matcher(line.substring(1).split(" ", 2)[0]).matches()) {
                sep++;
            }
        }
        return new PlaneCounts(sep, svc);
    }

    /**
     * The SEP chains {@code chain} jumps to, in order, from {@code iptables -t nat -S CHAIN} (or save)
     * output; only the rules of {@code chain} count.
     */
    static List<String> jumps(String listing, String chain) {
        String head = "-A " + chain + " ";
        return listing.lines().filter(l -> l.startsWith(head)).map(JUMP::matcher).filter(Matcher::find)
                .map(m -> m.group(1)).toList();
    }
}
