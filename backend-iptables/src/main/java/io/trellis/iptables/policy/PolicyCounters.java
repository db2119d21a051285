package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the enforcer's counters from a saved filter table, and the rule ids of an earlier run. Pure.
 *
 * <p>Per rule: sessions = packets through its rule chain (the evaluated packets it allowed: the first
 * of each connection, plus any later ones still NEW, such as a second UDP datagram before the reply);
 * packets and bytes = those plus its line in the established counting chain (every later packet of
 * its connections, both directions). Per isolated pod and direction: the default-deny DROP line.
 */
final class PolicyCounters {

    private static final Pattern RULE_CHAIN = Pattern.compile(Pattern.quote(PolicyNames.PREFIX) + "-R([IE])-(\\d{1,9})");
    private static final Pattern COMMENT = Pattern.compile("--comment \"([^\"]*)\"");

    private PolicyCounters() {
    }

    static PolicyStatistics read(PolicyRuleset state, SavedFilter saved) {
        requireNonNull(state, "state");
        requireNonNull(saved, "saved");
        List<RuleCounters> rules = new ArrayList<>();
        state.ids().forEach((key, id) -> {
            long sessions = 0;
            long packets = 0;
            long bytes = 0;
            for (SavedFilter.Rule r : saved.rules(PolicyNames.ruleChain(key.direction(), id))) {
                sessions += r.packets();
                packets += r.packets();
                bytes += r.bytes();
            }
            String countChain = key.direction() == Direction.INGRESS ? PolicyNames.COUNT_INGRESS : PolicyNames.COUNT_EGRESS;
            String countLine = PolicyRuleset.countLine(key.direction(), id);
            for (SavedFilter.Rule r : saved.rules(countChain)) {
                if (ConnmarkLayout.fits(id) && r.spec().equals(countLine)) {
                    packets += r.packets();
                    bytes += r.bytes();
                }
            }
            rules.add(new RuleCounters(key.ref(), key.direction(), key.index(), sessions, packets, bytes));
        });
        record PodDirection(PodRef pod, Direction direction) {
        }
        Map<PodDirection, long[]> drops = new LinkedHashMap<>();
        for (Isolation iso : state.isolations()) {
            long[] sum = drops.computeIfAbsent(new PodDirection(iso.pod(), iso.direction()), k -> new long[2]);
            String drop = PolicyRuleset.dropLine(iso);
            for (SavedFilter.Rule r : saved.rules(iso.chain())) {
                if (r.spec().equals(drop)) {
                    sum[0] += r.packets();
                    sum[1] += r.bytes();
                }
            }
        }
        List<IsolationDropCounters> isolation = new ArrayList<>();
        drops.forEach((k, c) -> isolation.add(new IsolationDropCounters(k.pod(), k.direction(), c[0], c[1])));
        return new PolicyStatistics(rules, isolation);
    }

    /**
     * The rule ids installed by an earlier run, from the rule chains' names and comments; a key seen
     * twice keeps its first id.
     */
    static Map<RuleKey, Integer> installedIds(SavedFilter saved) {
        requireNonNull(saved, "saved");
        Map<RuleKey, Integer> ids = new HashMap<>();
        for (String chain : saved.chainNames()) {
            Matcher m = RULE_CHAIN.matcher(chain);
            if (!m.matches()) {
                continue;
            }
            Direction direction = m.group(1).equals("I") ? Direction.INGRESS : Direction.EGRESS;
            int id = Integer.parseInt(m.group(2));
            for (SavedFilter.Rule r : saved.rules(chain)) {
                Matcher c = COMMENT.matcher(r.spec());
                Optional<RuleKey> key = c.find() ? RuleKey.parse(c.group(1)) : Optional.empty();
                if (key.isPresent() && key.get().direction() == direction && id >= 1) {
                    ids.putIfAbsent(key.get(), id);
                }
            }
        }
        return ids;
    }
}
