package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceProxy;
import io.trellis.spi.service.ServiceProxyException;
import io.trellis.spi.service.ServiceRef;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iptables Service proxy: kube-proxy's iptables-mode rules ({@link ServiceRuleGenerator}) in
 * the nat and filter tables of the namespace its commands run in, in chains of its own.
 *
 * <p>Syncing: {@link #upsert} and {@link #remove} only record the desired state; one worker thread
 * applies it {@code batchDelay} after the first change of a batch, as one
 * {@code iptables-restore --noflush} transaction that rewrites only the chains whose rules changed
 * (a Service's endpoint change: its SVC/SVL chains and the SEP chains that came or went). A failed
 * apply forgets what the kernel holds and is retried after {@code retryDelay}, converging from
 * {@code iptables-save}. {@link #replaceAll} converges on the caller's thread, from the kernel's
 * tables: after an agent restart the chains the previous run left are kept where they are right
 * (no flush, so their counters stay; established connections are in conntrack anyway), rewritten
 * where not, and deleted when no longer wanted.
 *
 * <p>After each applied change, UDP conntrack entries of endpoints (and frontends) that are no
 * longer used are deleted ({@link ConntrackCleanup}), when the {@code conntrack} tool is installed.
 */
public final class IptablesServiceProxy implements ServiceProxy, AutoCloseable {

    static final Duration DEFAULT_BATCH_DELAY = Duration.ofMillis(100);
    static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(5);
    private static final List<String> TABLES = List.of(ChainNames.NAT, ChainNames.FILTER);
    private static final Logger LOG = LoggerFactory.getLogger(IptablesServiceProxy.class);

    private final ServiceRuleGenerator generator;
    private final IptablesCommands commands;
    private final Duration batchDelay;
    private final Duration retryDelay;
    private final ScheduledExecutorService worker;

    /** The desired Services; guarded by this. */
    private final Map<ServiceRef, Service> desired = new HashMap<>();
    /** Whether a worker run is scheduled; guarded by this. */
    private boolean scheduled;

    private final Object syncLock = new Object();
    /** Generated rules per Service, reused while the Service is unchanged; guarded by syncLock. */
    private Map<ServiceRef, Generated> generated = Map.of();
    /** What the kernel holds (as applied by this proxy); null when unknown. Guarded by syncLock. */
    private RuleSet applied;
    private boolean warnedNoConntrack;

    IptablesServiceProxy(ServiceRuleGenerator generator, IptablesCommands commands, Duration batchDelay,
                         Duration retryDelay) {
        this.generator = requireNonNull(generator, "generator");
        this.commands = requireNonNull(commands, "commands");
        this.batchDelay = requireNonNull(batchDelay, "batchDelay");
        this.retryDelay = requireNonNull(retryDelay, "retryDelay");
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-iptables-services");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void replaceAll(Collection<Service> services) {
        requireNonNull(services, "services");
        Map<ServiceRef, Service> all = new LinkedHashMap<>();
        services.forEach(s -> all.put(requireNonNull(s, "service").ref(), s));
        synchronized (this) {
            desired.clear();
            desired.putAll(all);
        }
        try {
            sync(true);
        } catch (RuntimeException e) {
            throw new ServiceProxyException("services: applying the iptables rules of " + all.size()
                    + " services failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void upsert(Service service) {
        requireNonNull(service, "service");
        synchronized (this) {
            desired.put(service.ref(), service);
            schedule(batchDelay);
        }
    }

    @Override
    public void remove(ServiceRef ref) {
        requireNonNull(ref, "ref");
        synchronized (this) {
            if (desired.remove(ref) != null) {
                schedule(batchDelay);
            }
        }
    }

    /** Applies what is pending now, on the caller's thread (tests, and callers that need the rules in place). */
    void flush() {
        sync(false);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    private void schedule(Duration after) {
        if (scheduled) {
            return;
        }
        try {
            worker.schedule(this::runScheduled, after.toMillis(), TimeUnit.MILLISECONDS);
            scheduled = true;
        } catch (RejectedExecutionException e) {
            LOG.debug("services: proxy closed, change not applied");
        }
    }

    private void runScheduled() {
        synchronized (this) {
            scheduled = false;
        }
        try {
            sync(false);
        } catch (RuntimeException e) {
            LOG.warn("services: applying the iptables rules failed, converging from iptables-save in {} ms: {}",
                    retryDelay.toMillis(), e.getMessage(), e);
            synchronized (this) {
                schedule(retryDelay);
            }
        }
    }

    /**
     * Brings the kernel to the desired state: incrementally from the last applied state, or from
     * the kernel's tables when {@code fromKernel} or when that state is unknown.
     */
    private void sync(boolean fromKernel) {
        synchronized (syncLock) {
            long start = System.nanoTime();
            Map<ServiceRef, Service> snapshot;
            synchronized (this) {
                snapshot = new HashMap<>(desired);
            }
            Map<ServiceRef, Generated> next = new HashMap<>();
            snapshot.forEach((ref, service) -> {
                Generated old = generated.get(ref);
                next.put(ref, old != null && old.service().equals(service) ? old
                        : new Generated(service, generator.rulesFor(service)));
            });
            Map<ServiceRef, ServiceRules> nextRules = new HashMap<>();
            next.forEach((ref, g) -> nextRules.put(ref, g.rules()));
            RuleSet wanted = RuleSet.assemble(generator, nextRules.values());

            boolean converge = fromKernel || applied == null;
            List<String> transactions = converge
                    ? RestorePlan.converge(commands.save(TABLES), wanted, RestorePlan.CHAINS_PER_TRANSACTION)
                    : RestorePlan.incremental(applied, wanted, RestorePlan.CHAINS_PER_TRANSACTION);
            try {
                // A failure part-way leaves whole Services applied or not (RestorePlan's order); the
                // retry converges from the kernel.
                transactions.forEach(commands::restore);
            } catch (RuntimeException e) {
                applied = null;
                throw e;
            }
            Map<ServiceRef, ServiceRules> previousRules = new HashMap<>();
            generated.forEach((ref, g) -> previousRules.put(ref, g.rules()));
            applied = wanted;
            generated = next;
            cleanConntrack(previousRules, nextRules);
            LOG.debug("services: {} services synced ({}, {} restore lines in {} transactions) in {} ms", snapshot.size(),
                    converge ? "from iptables-save" : "incremental",
                    transactions.stream().mapToLong(t -> t.lines().count()).sum(), transactions.size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private void cleanConntrack(Map<ServiceRef, ServiceRules> before, Map<ServiceRef, ServiceRules> after) {
        List<List<String>> filters = ConntrackCleanup.filters(before, after);
        if (filters.isEmpty()) {
            return;
        }
        if (!commands.hasConntrack()) {
            if (!warnedNoConntrack) {
                LOG.warn("services: the conntrack tool is not installed: UDP clients keep removed endpoints while they"
                        + " keep their source port (install the conntrack package)");
                warnedNoConntrack = true;
            }
            return;
        }
        for (List<String> filter : filters) {
            try {
                int deleted = commands.conntrackDelete(filter);
                LOG.debug("services: conntrack -D {}: {} entries", String.join(" ", filter), deleted);
            } catch (RuntimeException e) {
                // The rules are in place; a stale UDP entry only delays those clients.
                LOG.warn("services: deleting stale UDP conntrack entries failed: {}", e.getMessage());
            }
        }
    }

    /** A Service and the rules generated for it. */
    private record Generated(Service service, ServiceRules rules) {
    }
}
