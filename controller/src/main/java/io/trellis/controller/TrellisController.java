package io.trellis.controller;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.controller.agentapi.PolicyChannel;
import io.trellis.controller.config.ConfigException;
import io.trellis.controller.config.ControllerConfig;
import io.trellis.controller.config.ControllerConfigLoader;
import io.trellis.controller.leader.LeaderElectedRunner;
import io.trellis.controller.nodeipam.NodeEventReporter;
import io.trellis.controller.nodeipam.NodeIpamController;
import io.trellis.ipam.pool.NodeCidrPool;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Trellis central controller. It allocates pod CIDRs to Nodes ({@link NodeIpamController}), and only
 * while it holds the Lease, so that several replicas can run. When {@code agentApi} is configured it also computes
 * NetworkPolicies and serves them to the agents ({@link PolicyChannel}), on every replica, leader or not. It talks
 * to the API server only through the public API, with the client given to it.
 */
public final class TrellisController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrellisController.class);
    static final int EXIT_FATAL = 1;
    static final int EXIT_CONFIG = 2;

    private final LeaderElectedRunner runner;
    private final Optional<PolicyChannel> policyChannel;

    /**
     * @param client   the API client; the caller owns and closes it
     * @param identity this replica's Lease holder identity (the configured one, else hostname_pid)
     */
    public TrellisController(ControllerConfig config, KubernetesClient client, String identity) {
        requireNonNull(config, "config");
        requireNonNull(client, "client");
        NodeEventReporter reporter = new NodeEventReporter(client, Clock.systemUTC());
        this.runner = new LeaderElectedRunner(client, config.leaderElection(), identity,
                () -> NodeIpamController.start(client,
                        () -> new NodeCidrPool(config.clusterCidr(), config.nodeCidrMaskSize()), reporter));
        this.policyChannel = config.agentApi().map(settings -> new PolicyChannel(settings, client));
    }

    /**
     * Starts the agent API and the NetworkPolicy computation (when configured; a bad certificate, key, secret or
     * address fails here), then competes for the Lease; allocation begins once this replica leads.
     */
    public TrellisController start() {
        policyChannel.ifPresent(PolicyChannel::start);
        runner.start();
        return this;
    }

    /** The NetworkPolicy channel, when {@code agentApi} is configured. */
    public Optional<PolicyChannel> policyChannel() {
        return policyChannel;
    }

    public boolean isLeading() {
        return runner.isLeading();
    }

    /** How many times this replica has led (and allocated). */
    public int leadershipTerms() {
        return runner.terms();
    }

    /** The identity of the leader this replica last saw, empty before any. */
    public String leader() {
        return runner.leader();
    }

    public String identity() {
        return runner.identity();
    }

    /** Stops allocating and releases the Lease; stops serving agents (they keep their state and reconnect). */
    @Override
    public void close() {
        runner.close();
        policyChannel.ifPresent(PolicyChannel::close);
    }

    /** hostname_pid, unique among replicas on distinct hosts and among processes on one host. */
    static String defaultIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        return host + "_" + ProcessHandle.current().pid();
    }

    public static void main(String[] args) throws InterruptedException {
        ControllerOptions options;
        ControllerConfig config;
        try {
            options = ControllerOptions.parse(args, System.getenv());
            config = new ControllerConfigLoader().load(options.config());
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("trellis-controller: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        KubernetesClient client;
        TrellisController controller;
        try {
            client = KubernetesClients.create(options.kubeconfig());
            controller = new TrellisController(config, client,
                    config.leaderElection().identityOr(defaultIdentity())).start();
        } catch (RuntimeException e) {
            LOG.error("trellis-controller cannot start", e);
            System.exit(EXIT_FATAL);
            return;
        }
        LOG.info("trellis-controller {} started: cluster CIDR {}, node CIDRs /{}, agent API {}", controller.identity(),
                config.clusterCidr(), config.nodeCidrMaskSize(),
                config.agentApi().map(a -> "on " + a.listen()).orElse("off (no agentApi section)"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("trellis-controller stopping");
            controller.close();
            client.close();
            stopped.countDown();
        }, "trellis-controller-shutdown"));
        stopped.await();
    }
}
