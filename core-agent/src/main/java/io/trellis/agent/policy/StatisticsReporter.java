package io.trellis.agent.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the enforcer's statistics readings to the controller on a thread of its own, so that a slow
 * or unreachable controller never holds up the enforcer thread. Readings are cumulative, so only the
 * latest matters: one waiting while a send is in progress replaces the previous one.
 */
final class StatisticsReporter implements Consumer<PolicyStatistics>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatisticsReporter.class);

    /** Sends one reading (the channel client's {@code reportStatistics}). */
    @FunctionalInterface
    interface Sender {
        void send(PolicyStatistics statistics) throws IOException, InterruptedException;
    }

    private final Sender sender;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "trellis-policy-stats");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<PolicyStatistics> latest = new AtomicReference<>();
    /** Whether the last send failed: logged once per outage, not every 10 s. */
    private boolean failing;

    StatisticsReporter(Sender sender) {
        this.sender = requireNonNull(sender, "sender");
    }

    @Override
    public void accept(PolicyStatistics statistics) {
        if (latest.getAndSet(requireNonNull(statistics, "statistics")) == null) {
            try {
                executor.execute(this::sendLatest);
            } catch (RejectedExecutionException closed) {
                latest.set(null);
            }
        }
    }

    private void sendLatest() {
        PolicyStatistics statistics = latest.getAndSet(null);
        if (statistics == null) {
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("policy statistics: {} rule(s), {} session(s) allowed; {} isolated pod direction(s), {} packet(s) "
                    + "dropped", statistics.rules().size(), statistics.rules().stream().mapToLong(RuleCounters::sessions).sum(),
                    statistics.isolationDrops().size(),
                    statistics.isolationDrops().stream().mapToLong(IsolationDropCounters::packets).sum());
        }
        try {
            sender.send(statistics);
            if (failing) {
                LOG.info("policy statistics reach the controller again");
                failing = false;
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("cannot send the policy statistics to the controller (will keep trying every reading): {}",
                        e.getMessage());
                failing = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
