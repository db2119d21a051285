package io.trellis.agent.policy;

import io.trellis.controlplane.stream.RetryBackoff;
import static java.util.Objects.requireNonNull;

import io.trellis.agent.config.ControllerConfig;
import io.trellis.controlplane.stream.PolicyStreamClient;
import io.trellis.controlplane.stream.PolicyStreamSettings;
import io.trellis.spi.policy.PolicyEnforcer;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NetworkPolicy part of a running agent: the controller's policy stream
 * ({@link PolicyStreamClient}) feeding {@link NodePolicyState}, which keeps the enforcer in step
 * through {@link EnforcerSync} on a thread of its own, plus the statistics: read from the enforcer
 * every 10 s on that thread and posted to the controller ({@link StatisticsReporter}).
 *
 * <p>Between the agent's start and the first snapshot the enforcer is not called: it keeps
 * whatever it enforces already (the OVS enforcer, the flows a previous agent left in the switch),
 * and the first snapshot's {@code replaceAll} brings it to the controller's current state.
 */
public final class PolicyAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyAgent.class);
    /** How often the enforcer's counters are read. */
    public static final Duration STATISTICS_PERIOD = Duration.ofSeconds(10);

    private final PolicyStreamClient client;
    private final EnforcerSync sync;
    private final StatisticsReporter statistics;

    private PolicyAgent(PolicyStreamClient client, EnforcerSync sync, StatisticsReporter statistics) {
        this.client = client;
        this.sync = sync;
        this.statistics = statistics;
    }

    /**
     * Starts watching the controller for {@code nodeName}'s policies and enforcing them with
     * {@code enforcer}, and sends the enforcer's statistics to the controller every
     * {@link #STATISTICS_PERIOD}; returns at once (see {@link #awaitFirstSnapshot}).
     */
    public static PolicyAgent start(ControllerConfig controller, String nodeName, PolicyEnforcer enforcer) {
        return start(controller, nodeName, enforcer, STATISTICS_PERIOD);
    }

    static PolicyAgent start(ControllerConfig controller, String nodeName, PolicyEnforcer enforcer,
                             Duration statisticsPeriod) {
        requireNonNull(controller, "controller");
        requireNonNull(nodeName, "nodeName");
        requireNonNull(enforcer, "enforcer");
        EnforcerSync sync = new EnforcerSync(enforcer, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-policy-enforcer");
            t.setDaemon(true);
            return t;
        }), RetryBackoff.DEFAULT);
        PolicyStreamClient client;
        try {
            client = new PolicyStreamClient(new PolicyStreamSettings(controller.address(), controller.caFile(),
                    controller.tokenFile(), nodeName), new NodePolicyState(nodeName, sync));
            client.start();
        } catch (RuntimeException e) {
            sync.close();
            throw e;
        }
        StatisticsReporter statistics = new StatisticsReporter(client::reportStatistics);
        sync.reportStatistics(statisticsPeriod, statistics);
        LOG.info("watching the NetworkPolicies of node {} at {}", nodeName, controller.address());
        return new PolicyAgent(client, sync, statistics);
    }

    /**
     * Waits until the enforcer has taken the controller's first snapshot; false after
     * {@code timeout}. Until then the agent does not attach new pods: a new pod that a policy
     * selects would otherwise be reachable by everyone until the snapshot came.
     */
    public boolean awaitFirstSnapshot(Duration timeout) throws InterruptedException {
        return sync.awaitFirstReplaceAll(timeout);
    }

    /** Stops the stream first (no more events), then the enforcer thread; the enforced state stays. */
    @Override
    public void close() {
        client.close();
        sync.close();
        statistics.close();
    }
}
