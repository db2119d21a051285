package io.trellis.ovs.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowStats;
import io.trellis.ovs.openflow.message.FlowStatsRequest;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.FlowLine;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.pipeline.PipelineStage;
import io.trellis.ovs.pipeline.PolicyFlows;
import io.trellis.ovs.pipeline.PolicyIsolation;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.policy.PolicyException;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PolicyEnforcer} of the OVS backend: NetworkPolicies as conjunctive flows in the
 * policy stages of the pod pipeline ({@link PolicyFlows}, {@link io.trellis.ovs.pipeline.Pipeline#withPolicy()}).
 *
 * <p>Every call computes the flows of the whole desired policy set (flows shared by rules of several
 * policies are one flow, so a policy's flows cannot be written alone) and sends the difference to
 * what is installed as <b>one bundle</b>: strict deletes of flows no longer wanted, adds of new or
 * changed ones (an add replacing a flow keeps its counters). Unchanged flows are not touched and
 * keep counting. The first call, and the first after a failure, replaces every policy flow instead
 * (delete by cookie kind + add all, one bundle), which also removes flows of an earlier agent run.
 * A refused bundle leaves the switch as before: pods stay as isolated as the policies last
 * accepted (fail closed).
 *
 * <p>The enforcer is a {@link PipelineInstaller.FullInstallPart} of the installer: full installs
 * (resync after an ovs-vswitchd restart) write the policy flows in the same bundle as the pipeline.
 * The first install at agent start ({@link PipelineInstaller#installKeepingOverlay}) deletes only
 * the node, pod and Service kinds, so the previous run's policy flows keep enforcing until the
 * first {@link #replaceAll}.
 *
 * <p>Rule ids (conj_id, ct_label, cookie): stable per (policy, direction, index, part) while the
 * policy exists, reused after removal.
 *
 * <p>Every bundle that changes the policy flows also replaces the generation flows
 * ({@link PolicyFlows#generationFlows}) with the next ct_mark bit, so that ovs-vswitchd deletes the
 * datapath flows decided by the previous policies instead of modifying them in place (which the
 * userspace datapath may apply to an overlapping flow, leaving a stale verdict in use).
 */
public final class OvsPolicyEnforcer implements PolicyEnforcer {

    private static final Logger LOG = LoggerFactory.getLogger(OvsPolicyEnforcer.class);

    private final PipelineInstaller installer;
    private final OpenFlowClient client;
    private final PolicyFlows flows;
    private final Duration timeout;

    /** Accepted policies (on the switch); guarded by this. */
    private final Map<PolicyRef, NetworkPolicyRules> policies = new LinkedHashMap<>();
    private Map<RuleKey, Long> ids = Map.of();
    private PolicyCompiler.Compiled compiled = PolicyCompiler.Compiled.EMPTY;
    /** Installed flows by {@link PolicyFlows#key}; guarded by this. */
    private Map<String, FlowMod> installed = Map.of();
    private boolean synced;
    /** The ct_mark bit of the installed generation flows; guarded by this. */
    private int generation;
    /** What full installs write; changed only in the installer's sendRecorded / record. */
    private volatile List<FlowMod> published = List.of();

    private OvsPolicyEnforcer(PipelineInstaller installer, Duration timeout, int firstGeneration) {
        this.installer = requireNonNull(installer, "installer");
        this.client = installer.client();
        this.flows = PolicyFlows.of(installer.flows());
        this.timeout = requireNonNull(timeout, "timeout");
        this.generation = Math.floorMod(firstGeneration, PolicyFlows.GENERATIONS);
    }

    /**
     * An enforcer on the installer's connection and pipeline (which must be
     * {@link io.trellis.ovs.pipeline.Pipeline#withPolicy()}), registered as one of its full-install parts.
     */
    public static OvsPolicyEnforcer sharing(PipelineInstaller installer, Duration timeout) {
        // A random first generation bit: an earlier agent run's bit is unknown, most likely (31 in 32)
        // it differs from this run's first.
        OvsPolicyEnforcer enforcer = new OvsPolicyEnforcer(installer, timeout,
                java.util.concurrent.ThreadLocalRandom.current().nextInt(PolicyFlows.GENERATIONS));
        installer.addFullInstallPart(enforcer::fullInstallMessages);
        return enforcer;
    }

    private List<OfMessage> fullInstallMessages() {
        return List.copyOf(published);
    }

    @Override
    public synchronized void replaceAll(Collection<NetworkPolicyRules> all) {
        requireNonNull(all, "policies");
        Map<PolicyRef, NetworkPolicyRules> next = new LinkedHashMap<>();
        for (NetworkPolicyRules p : all) {
            NetworkPolicyRules previous = next.put(requireNonNull(p, "policy").ref(), p);
            if (previous != null) {
                throw new PolicyException("replacing all policies: " + p.ref() + " is listed twice");
            }
        }
        apply(next, "replacing all " + next.size() + " policies");
    }

    @Override
    public synchronized void upsert(NetworkPolicyRules policy) {
        requireNonNull(policy, "policy");
        if (synced && policy.equals(policies.get(policy.ref()))) {
            return;
        }
        Map<PolicyRef, NetworkPolicyRules> next = new LinkedHashMap<>(policies);
        next.put(policy.ref(), policy);
        apply(next, "policy " + policy.ref());
    }

    @Override
    public synchronized void remove(PolicyRef ref) {
        requireNonNull(ref, "ref");
        if (synced && !policies.containsKey(ref)) {
            return;
        }
        Map<PolicyRef, NetworkPolicyRules> next = new LinkedHashMap<>(policies);
        next.remove(ref);
        apply(next, "removing policy " + ref);
    }

    /** Makes {@code next} the installed policy set in one bundle; on failure nothing changes here. */
    private void apply(Map<PolicyRef, NetworkPolicyRules> next, String what) {
        List<RuleKey> keys = new ArrayList<>();
        next.values().forEach(p -> keys.addAll(PolicyCompiler.keys(p)));
        Map<RuleKey, Long> nextIds;
        PolicyCompiler.Compiled nextCompiled;
        List<FlowMod> nextFlows;
        try {
            nextIds = RuleIds.assign(ids, keys);
            nextCompiled = PolicyCompiler.compile(next.values(), nextIds);
            nextFlows = flows.ruleFlows(nextCompiled.rules(), nextCompiled.isolations());
        } catch (RuntimeException e) {
            throw new PolicyException(what + ": " + e.getMessage(), e);
        }
        // A new generation bit whenever the policy flows change (see PolicyFlows#generationFlows):
        // the revalidators must delete, not modify, the datapath flows that went through the policy
        // stages. Unchanged rule flows keep the generation (and send nothing).
        int nextGeneration = generation;
        Map<String, FlowMod> nextInstalled = keyed(nextFlows, nextGeneration);
        if (!synced || !difference(installed, nextInstalled).isEmpty()) {
            nextGeneration = (generation + 1) % PolicyFlows.GENERATIONS;
            nextInstalled = keyed(nextFlows, nextGeneration);
        }
        List<FlowMod> all = List.copyOf(nextInstalled.values());
        List<FlowMod> bundle = synced ? difference(installed, nextInstalled) : fromScratch(all);
        if (!bundle.isEmpty()) {
            try {
                await(installer.sendRecorded(() -> published = all, bundle), what);
            } catch (PolicyException e) {
                synced = false;
                // The switch kept (refused bundle) or may have (timeout) the old flows; full installs
                // write what is known to be accepted, the next call replaces everything.
                installer.record(() -> published = List.copyOf(installed.values()));
                throw e;
            }
        }
        policies.clear();
        policies.putAll(next);
        ids = nextIds;
        compiled = nextCompiled;
        installed = nextInstalled;
        generation = nextGeneration;
        synced = true;
        LOG.debug("{}: {} policies, {} rules, {} flows, generation {}, bundle of {}", what, next.size(),
                nextCompiled.rules().size(), all.size(), nextGeneration, bundle.size());
    }

    /** The rule flows plus the generation flows, by {@link PolicyFlows#key}. */
    private Map<String, FlowMod> keyed(List<FlowMod> ruleFlows, int generationBit) {
        Map<String, FlowMod> keyed = new LinkedHashMap<>();
        ruleFlows.forEach(f -> keyed.put(PolicyFlows.key(f), f));
        flows.generationFlows(generationBit).forEach(f -> keyed.put(PolicyFlows.key(f), f));
        return keyed;
    }

    private List<FlowMod> fromScratch(List<FlowMod> all) {
        List<FlowMod> bundle = new ArrayList<>(flows.deleteAll());
        bundle.addAll(all);
        return bundle;
    }

    /** Strict deletes of flows gone, then adds of new and changed flows (an add keeps a replaced flow's counters). */
    static List<FlowMod> difference(Map<String, FlowMod> before, Map<String, FlowMod> after) {
        List<FlowMod> bundle = new ArrayList<>();
        before.forEach((key, flow) -> {
            if (!after.containsKey(key)) {
                bundle.add(PolicyFlows.deleteStrict(flow));
            }
        });
        after.forEach((key, flow) -> {
            FlowMod old = before.get(key);
            if (old == null || !FlowLine.of(old).equals(FlowLine.of(flow))) {
                bundle.add(flow);
            }
        });
        return bundle;
    }

    // ------------------------------------------------------------------ statistics

    /**
     * Reads the policy flows' counters: per rule (summed over the parts of a split rule) sessions
     * = packets of its conj_id / single-dimension flows (the evaluated first packets), packets and
     * bytes = those plus its metering flow (every later packet of its connections, both
     * directions); per isolated pod and direction the default-deny drop flow.
     */
    @Override
    public PolicyStatistics statistics() {
        PolicyCompiler.Compiled state;
        synchronized (this) {
            state = compiled;
        }
        CookieScheme cookies = flows.cookies();
        List<FlowStats> ruleFlows = await(client.dumpFlows(FlowStatsRequest.cookie(
                cookies.kindValue(CookieScheme.KIND_POLICY), cookies.kindMask())), "reading policy rule counters");
        List<FlowStats> dropFlows = await(client.dumpFlows(FlowStatsRequest.cookie(
                cookies.kindValue(CookieScheme.KIND_POLICY_ISOLATION), cookies.kindMask())),
                "reading isolation drop counters");
        return summarize(state, ruleFlows, dropFlows);
    }

    /** Pure: the statistics of {@code state} from dumped flows. */
    static PolicyStatistics summarize(PolicyCompiler.Compiled state, List<FlowStats> ruleFlows,
            List<FlowStats> dropFlows) {
        record Index(PolicyRef ref, Direction direction, int index) {
        }
        Map<Index, long[]> rules = new TreeMap<>((a, b) -> {
            int c = a.ref().toString().compareTo(b.ref().toString());
            c = c != 0 ? c : a.direction().compareTo(b.direction());
            return c != 0 ? c : Integer.compare(a.index(), b.index());
        });
        state.ruleOf().values().forEach(k -> rules.putIfAbsent(new Index(k.ref(), k.direction(), k.index()),
                new long[3]));
        for (FlowStats f : ruleFlows) {
            RuleKey key = state.ruleOf().get(CookieScheme.objectOf(f.cookie()));
            if (key == null) {
                continue; // a clause flow (object 0) or a flow of a rule gone meanwhile
            }
            long[] c = rules.get(new Index(key.ref(), key.direction(), key.index()));
            int stage = CookieScheme.stageCodeOf(f.cookie());
            if (stage == PolicyFlows.policyStage(key.direction()).code()) {
                c[0] += f.packetCount();
            } else if (stage != PolicyFlows.meteringStage(key.direction()).code()) {
                continue;
            }
            c[1] += f.packetCount();
            c[2] += f.byteCount();
        }
        List<RuleCounters> ruleCounters = new ArrayList<>();
        rules.forEach((i, c) -> ruleCounters.add(new RuleCounters(i.ref(), i.direction(), i.index(), c[0], c[1], c[2])));

        Map<PolicyIsolation, long[]> drops = new LinkedHashMap<>();
        state.isolated().keySet().forEach(iso -> drops.put(iso, new long[2]));
        for (FlowStats f : dropFlows) {
            Direction direction = CookieScheme.stageCodeOf(f.cookie()) == PipelineStage.INGRESS_POLICY.code()
                    ? Direction.INGRESS : Direction.EGRESS;
            long[] c = drops.get(new PolicyIsolation(ipv4(CookieScheme.objectOf(f.cookie())), direction));
            if (c != null) {
                c[0] += f.packetCount();
                c[1] += f.byteCount();
            }
        }
        // A pod with several addresses has one entry per direction.
        Map<List<Object>, long[]> perPod = new LinkedHashMap<>();
        drops.forEach((iso, c) -> {
            long[] sum = perPod.computeIfAbsent(List.of(state.isolated().get(iso), iso.direction()), k -> new long[2]);
            sum[0] += c[0];
            sum[1] += c[1];
        });
        List<IsolationDropCounters> isolation = new ArrayList<>();
        perPod.forEach((k, c) -> isolation.add(new IsolationDropCounters((PodRef) k.get(0), (Direction) k.get(1), c[0],
                c[1])));
        return new PolicyStatistics(ruleCounters, isolation);
    }

    /** The rule id installed for a rule part (tests, logs); empty when not installed. */
    synchronized java.util.OptionalLong ruleId(PolicyRef ref, Direction direction, int index, int part) {
        Long id = ids.get(new RuleKey(ref, direction, index, part));
        return id == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(id);
    }

    private static Inet4Address ipv4(long bits) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16),
                (byte) (bits >>> 8), (byte) bits});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new PolicyException(what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new PolicyException(what + ": no answer from OVS within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException(what + ": interrupted", e);
        }
    }
}
