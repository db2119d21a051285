package io.trellis.controller.agentapi;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.controller.config.AgentApiSettings;
import io.trellis.controller.networkpolicy.NetworkPolicyController;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The NetworkPolicy side of the controller: the computation ({@link NetworkPolicyController}) publishing
 * into the agent API server ({@link PolicyStreamServer}), which serves agents once the computation has
 * published its first complete state. Runs on every replica, outside leader election: it writes nothing
 * to the API server, and every replica computes the same objects, so agents may use any.
 */
public final class PolicyChannel implements AutoCloseable {
    private static final long READY_POLL_MILLIS = 200;

    private final PolicyStreamServer server;
    private final NetworkPolicyController computation;
    private final ScheduledExecutorService readiness = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-api-readiness");
        t.setDaemon(true);
        return t;
    });

    public PolicyChannel(AgentApiSettings settings, KubernetesClient client) {
        requireNonNull(settings, "settings");
        requireNonNull(client, "client");
        this.server = new PolicyStreamServer(settings);
        this.computation = new NetworkPolicyController(client, server);
    }

    /**
     * Starts listening (failing at once on unusable TLS files, secret or address), then the computation.
     */
    public synchronized void start() {
        server.start();
        computation.start();
        // NetworkPolicyController offers synced() but no callback: poll it, then stop polling (shutdown
        // cancels the periodic task).
        readiness.scheduleWithFixedDelay(() -> {
            if (computation.synced()) {
                server.markReady();
                readiness.shutdown();
            }
        }, READY_POLL_MILLIS, READY_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    public boolean isReady() {
        return server.isReady();
    }

    public java.net.InetSocketAddress address() {
        return server.address();
    }

    @Override
    public synchronized void close() {
        readiness.shutdownNow();
        computation.close();
        server.close();
    }
}
