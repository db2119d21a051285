package io.trellis.controller.networkpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.spi.model.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Randomized cross-check: for random clusters and random changes to them, every connection between
 * live pods (and to/from outside addresses) on every probed protocol and port is decided twice, by
 * {@link SpecEvaluator} (brute force over the raw API objects, straight from the Kubernetes spec)
 * and by {@link AgentViewEvaluator} over what the incremental computation published, seen per node
 * as an agent receives it. Also: the incremental result equals a computation from scratch, and
 * re-sending an unchanged object publishes nothing.
 */
class PolicyCrossCheckTest {
    private static final int SEEDS = 200;
    private static final int MUTATIONS = 15;

    private int probes;
    private int allowedProbes;

    @Test
    void publishedObjectsDecideEveryConnectionAsTheSpecSays() {
        LongStream.range(1, SEEDS + 1).forEach(this::check);
        // The generator must exercise both outcomes a lot, or the comparison proves little.
        assertThat(probes).isGreaterThan(100_000);
        assertThat(allowedProbes).isBetween(probes / 10, probes - probes / 10);
        System.out.printf("cross-check: %d connections probed over %d seeds, %d allowed%n", probes, SEEDS, allowedProbes);
    }

    private void check(long seed) {
        RandomCluster cluster = new RandomCluster(seed);
        RecordingSink sink = new RecordingSink();
        PolicyComputation computation = new PolicyComputation(sink);
        cluster.initialObjects().forEach(m -> apply(computation, m));
        computation.startPublishing();
        List<String> history = new ArrayList<>();
        history.add("initial");
        compare(seed, cluster, sink, history);
        for (int step = 0; step < MUTATIONS; step++) {
            RandomCluster.Mutation mutation = cluster.mutate();
            history.add(describe(mutation));
            apply(computation, mutation);
            compare(seed, cluster, sink, history);
            sink.drain();
            apply(computation, mutation);
            assertThat(sink.drain()).as("seed %d: applying %s again publishes nothing", seed, describe(mutation))
                    .isEmpty();
        }
    }

    private void compare(long seed, RandomCluster cluster, RecordingSink sink, List<String> history) {
        SpecEvaluator spec = new SpecEvaluator(cluster.namespaces, List.copyOf(cluster.policies.values()));
        Map<String, Map<PolicyObjectKey, PolicyObject>> views = new HashMap<>();
        AgentViewEvaluator agents = new AgentViewEvaluator(node -> views.computeIfAbsent(node, sink::view));
        List<Endpoint> pods = cluster.livePods().stream().map(Endpoint::of).toList();
        List<String> mismatches = new ArrayList<>();
        for (Endpoint source : pods) {
            for (Endpoint destination : pods) {
                if (source != destination) {
                    probe(spec, agents, source, destination, mismatches);
                }
            }
            for (var external : RandomCluster.EXTERNAL) {
                probe(spec, agents, source, Endpoint.external(external), mismatches);
                probe(spec, agents, Endpoint.external(external), source, mismatches);
            }
        }
        if (!mismatches.isEmpty()) {
            throw new AssertionError("seed " + seed + " after " + history + ": " + mismatches.size()
                    + " connections decided differently, e.g.\n  " + String.join("\n  ",
                            mismatches.subList(0, Math.min(10, mismatches.size()))) + "\n" + dump(cluster));
        }
        RecordingSink fresh = new RecordingSink();
        PolicyComputation scratch = new PolicyComputation(fresh);
        cluster.initialObjects().forEach(m -> apply(scratch, m));
        scratch.startPublishing();
        assertThat(sink.current()).as("seed %d after %s: incremental result equals a computation from scratch",
                seed, history).isEqualTo(fresh.current());
    }

    private void probe(SpecEvaluator spec, AgentViewEvaluator agents, Endpoint source, Endpoint destination,
            List<String> mismatches) {
        for (Protocol protocol : Protocol.values()) {
            for (int port : RandomCluster.PROBE_PORTS) {
                boolean expected = spec.allowed(source, destination, protocol, port);
                boolean published = agents.allowed(source, destination, protocol, port);
                probes++;
                if (expected) {
                    allowedProbes++;
                }
                if (expected != published) {
                    mismatches.add(source + " -> " + destination + " " + protocol + "/" + port + ": spec says "
                            + (expected ? "allowed" : "denied") + ", published objects say "
                            + (published ? "allowed" : "denied"));
                }
            }
        }
    }

    private static void apply(PolicyComputation computation, RandomCluster.Mutation mutation) {
        if (mutation instanceof RandomCluster.PutNamespace n) {
            computation.upsertNamespace(n.namespace());
        } else if (mutation instanceof RandomCluster.PutPod p) {
            computation.upsertPod(p.pod());
        } else if (mutation instanceof RandomCluster.DeletePod d) {
            computation.deletePod(d.pod());
        } else if (mutation instanceof RandomCluster.PutPolicy p) {
            try {
                computation.upsertPolicy(new NetworkPolicyParser().parse(p.policy()));
            } catch (InvalidNetworkPolicyException e) {
                throw new AssertionError("the generator made an invalid policy", e);
            }
        } else if (mutation instanceof RandomCluster.DeletePolicy d) {
            computation.deletePolicy(new io.trellis.spi.policy.PolicyRef(d.namespace(), d.name()));
        }
    }

    private static String describe(RandomCluster.Mutation mutation) {
        if (mutation instanceof RandomCluster.PutPolicy p) {
            return "PutPolicy(" + p.policy().getMetadata().getNamespace() + "/" + p.policy().getMetadata().getName()
                    + ")";
        }
        return mutation.toString();
    }

    private static String dump(RandomCluster cluster) {
        StringBuilder text = new StringBuilder("namespaces:\n");
        cluster.namespaces.values().forEach(n -> text.append("  ").append(n).append('\n'));
        text.append("pods:\n");
        cluster.pods.values().forEach(p -> text.append("  ").append(p).append('\n'));
        text.append("policies:\n");
        cluster.policies.values().forEach(p -> text.append(Serialization.asYaml(p)));
        return text.toString();
    }
}
