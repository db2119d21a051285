package io.trellis.ovs.service;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.message.GroupDesc;
import io.trellis.ovs.openflow.message.OfMessage;
import io.trellis.ovs.pipeline.CookieScheme;
import io.trellis.ovs.pipeline.PipelineInstaller;
import io.trellis.ovs.pipeline.ServiceFlows;
import io.trellis.ovs.pipeline.ServiceBackend;
import io.trellis.ovs.pipeline.ServiceFrontend;
import io.trellis.ovs.pipeline.ServiceLoadBalancer;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceProxy;
import io.trellis.spi.service.ServiceProxyException;
import io.trellis.spi.service.ServiceRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ServiceProxy} of the OVS backend: each Service becomes one select group per frontend
 * and its {@link ServiceFlows} in SERVICE_LB, written in one OpenFlow bundle per Service change
 * (group mods before the flows that use them, flows deleted before their groups), so a packet sees
 * a Service either as before or as after a change.
 *
 * <p>Incremental: the proxy remembers what it installed per Service ({@link DesiredService}, the
 * Service's cookie id, its frontends' group ids); a Service whose desired state did not change
 * sends nothing. A frontend keeps its group id while it exists, so a changed endpoint list only
 * modifies the group's buckets; established connections live in conntrack and keep their endpoint.
 *
 * <p>ClientIP session affinity ({@code Service.clientIpAffinity}) is kept in flows OVS learns
 * per (frontend, client IP) with a cookie kind of their own: an endpoint change keeps them, a
 * changed or dropped affinity, the Service's removal and a from-scratch replaceAll delete them;
 * the installer's full installs leave them ({@link PipelineInstaller.FullInstallPart#keptCookieKinds}).
 * A frontend without endpoints rejects; a proxy made by {@link #sharing} answers the rejects
 * ({@link ServiceRejector}).
 *
 * <p>Node ports, external and load-balancer IPs and host-network clients of cluster IPs also need
 * the node's kernel ({@link ServiceHostRules}): a proxy made by {@link #sharing} with a
 * {@link ServiceHostState} applies it at the end of every replaceAll and, for upserts and removals
 * that add or drop frontends, once per batch on its own thread ({@link HostStateUpdates}).
 *
 * <p>The first {@link #replaceAll} (agent start) converges from whatever the switch holds: in one
 * bundle it deletes every Service flow and every group in the proxy's id range 1..0x7fffffff
 * found on the switch, and writes the full set. Later calls are diffs. After a failed call
 * (the SPI's contract: the agent then calls replaceAll with the full set) the next replaceAll
 * starts from scratch again.
 *
 * <p>The switch's pipeline must be {@link io.trellis.ovs.pipeline.Pipeline#withServices()} with
 * the same cookies and conntrack zone as {@code flows}. A full pipeline install
 * ({@link PipelineInstaller#install}) deletes the Service flows (they carry the agent's cookie),
 * and a restarted ovs-vswitchd has no groups. A proxy made by {@link #sharing} is a
 * {@link PipelineInstaller.FullInstallPart} of the installer: every full install writes the
 * Services' groups and flows in the same bundle, so new connections to Services never fail
 * across a reinstall. Its own bundles go through {@link PipelineInstaller#sendRecorded}, so a full
 * install sees what the proxy has sent or is about to send, never an older state. A proxy made
 * with the public constructor is on its own: after a full install call {@link #forgetInstalled()}
 * then {@link #replaceAll}.
 */
public final class OvsServiceProxy implements ServiceProxy {

    private static final Logger LOG = LoggerFactory.getLogger(OvsServiceProxy.class);
    /** How long host state changes are gathered before they are applied (the agent's batches come at once). */
    public static final Duration HOST_STATE_DELAY = Duration.ofMillis(100);
    /** When a failed host state update is tried again. */
    static final Duration HOST_STATE_RETRY = Duration.ofSeconds(5);
    /** Group ids 1..MAX_GROUP_ID are the proxy's; above is left to other features. */
    static final int MAX_GROUP_ID = 0x7fff_ffff;

    private final OpenFlowClient client;
    private final ServiceFlows flows;
    private final Duration timeout;
    /** The installer this proxy contributes to full installs, if any. */
    private final PipelineInstaller installer;
    /** Answers the packet-ins of rejected connections; only a sharing proxy has one. */
    private final ServiceRejector rejector;
    /** Deletes the conntrack entries of invalid TCP resets; only a sharing proxy has one. */
    private final InvalidResetRecovery resetRecovery;
    /** The node this proxy runs on, for {@code Local} traffic policies; empty: no endpoint is local. */
    private final Optional<String> nodeName;
    /** Keeps the node's kernel (node ports, external and cluster IP routes) in step with {@code installed}. */
    private final HostStateUpdates hostUpdates;
    /**
     * Grows whenever {@code installed} changes in a way the host state cares about, or the host lost
     * its state: a version is applied once (atomic, so {@link #reapplyHostState} need not take the
     * proxy's lock, which is held while bundles wait for OVS).
     */
    private final AtomicLong hostVersion = new AtomicLong();
    private final Map<ServiceRef, Installed> installed = new HashMap<>();
    /**
     * What full installs write: equal to {@code installed} except while a bundle is on its way
     * (then already the state after it). Guarded by the installer's lock: changed only in
     * {@link PipelineInstaller#sendRecorded} / {@link PipelineInstaller#record}.
     */
    private final Map<ServiceRef, Installed> published = new LinkedHashMap<>();
    private final IdPool serviceIds = new IdPool("service id", Integer.MAX_VALUE);
    /** What was said about Services' unsupported parts; guarded by this. */
    private final ServiceWarnings warnings = new ServiceWarnings();
    private final IdPool groupIds = new IdPool("group id", MAX_GROUP_ID);
    private boolean synced;

    /** What is on the switch for one Service. */
    private record Installed(int serviceId, DesiredService desired, Map<ServiceFrontend, Integer> groups) {
    }

    /**
     * @param client  connected to the integration bridge
     * @param flows   the Service flows of the bridge's pipeline
     * @param timeout how long to wait for each bundle's commit
     */
    public OvsServiceProxy(OpenFlowClient client, ServiceFlows flows, Duration timeout) {
        this(client, flows, timeout, Optional.empty(), ServiceHostState.NONE, null, null, null);
    }

    /**
     * @param nodeName the node this proxy runs on: endpoints with this {@code nodeName} are the
     *                 local ones of {@code Local} traffic policies (empty: none is)
     */
    public OvsServiceProxy(OpenFlowClient client, ServiceFlows flows, Duration timeout, Optional<String> nodeName) {
        this(client, flows, timeout, nodeName, ServiceHostState.NONE, null, null, null);
    }

    private OvsServiceProxy(OpenFlowClient client, ServiceFlows flows, Duration timeout, Optional<String> nodeName,
            ServiceHostState hostState, PipelineInstaller installer, ServiceRejector rejector,
            InvalidResetRecovery resetRecovery) {
        this.nodeName = requireNonNull(nodeName, "nodeName");
        this.hostUpdates = new HostStateUpdates(requireNonNull(hostState, "hostState"), this::hostSnapshot,
                HOST_STATE_DELAY, HOST_STATE_RETRY);
        this.client = requireNonNull(client, "client");
        this.flows = requireNonNull(flows, "flows");
        this.timeout = requireNonNull(timeout, "timeout");
        this.installer = installer;
        this.rejector = rejector;
        this.resetRecovery = resetRecovery;
    }

    /**
     * A proxy on the installer's connection and pipeline (which must be
     * {@link io.trellis.ovs.pipeline.Pipeline#withServices()}), registered as one of its
     * {@link PipelineInstaller.FullInstallPart}s: the installer's full installs keep the Services.
     */
    public static OvsServiceProxy sharing(PipelineInstaller installer, Duration timeout) {
        return sharing(installer, timeout, Optional.empty());
    }

    /**
     * Like {@link #sharing(PipelineInstaller, Duration)}, for the node {@code nodeName}: endpoints
     * with this {@code nodeName} are the local ones of {@code Local} traffic policies.
     */
    public static OvsServiceProxy sharing(PipelineInstaller installer, Duration timeout, Optional<String> nodeName) {
        return sharing(installer, timeout, nodeName, ServiceHostState.NONE);
    }

    /**
     * Like {@link #sharing(PipelineInstaller, Duration, Optional)}, keeping {@code hostState} (the
     * node's iptables rules and routes for node ports, external, load-balancer and cluster IPs)
     * in step with the installed Services: applied at the end of every {@link #replaceAll}, and
     * {@link #HOST_STATE_DELAY} after the first of a batch of upserts and removals that add or
     * drop frontends (endpoint changes do not touch the host).
     */
    public static OvsServiceProxy sharing(PipelineInstaller installer, Duration timeout, Optional<String> nodeName,
            ServiceHostState hostState) {
        requireNonNull(installer, "installer");
        ServiceFlows flows = ServiceFlows.of(installer.flows());
        // Frontends without endpoints send their packets to this connection: answer them.
        ServiceRejector rejector = ServiceRejector.attach(installer.client(), flows);
        // The pipeline sends invalid TCP resets here: delete their entries (OVS 3.1 port-reuse stalls).
        InvalidResetRecovery resetRecovery = InvalidResetRecovery.attach(installer.client(), flows);
        OvsServiceProxy proxy = new OvsServiceProxy(installer.client(), flows, timeout, nodeName, hostState, installer,
                rejector, resetRecovery);
        // Learned affinities survive full installs (a reconnect, a resync): removals and affinity
        // changes delete them in the proxy's own bundles, a from-scratch replaceAll deletes all.
        installer.addFullInstallPart(PipelineInstaller.FullInstallPart.keeping(
                Set.of(CookieScheme.KIND_SERVICE_AFFINITY), proxy::fullInstallMessages));
        return proxy;
    }

    /**
     * The listener answering the reject packet-ins of frontends without endpoints: a proxy made by
     * {@link #sharing} has one; with the public constructor, attach a {@link ServiceRejector} to
     * the connection yourself (once per connection).
     */
    public Optional<ServiceRejector> rejector() {
        return Optional.ofNullable(rejector);
    }

    /**
     * The listener deleting the conntrack entries of invalid TCP resets
     * ({@link ServiceFlows#invalidResetMatch()}): a proxy made by {@link #sharing} has one; with the
     * public constructor, attach an {@link InvalidResetRecovery} to the connection yourself.
     */
    public Optional<InvalidResetRecovery> invalidResetRecovery() {
        return Optional.ofNullable(resetRecovery);
    }

    /**
     * Every Service's groups and flows as the proxy last sent them (or is sending them), for a full
     * install: called by the installer with its lock held.
     */
    List<OfMessage> fullInstallMessages() {
        List<OfMessage> messages = new ArrayList<>();
        published.values().forEach(service -> addGroupsAndFlows(service, messages));
        return messages;
    }

    @Override
    public synchronized void replaceAll(Collection<Service> services) {
        requireNonNull(services, "services");
        Map<ServiceRef, Service> byRef = new LinkedHashMap<>();
        for (Service s : services) {
            byRef.put(s.ref(), s);
        }
        if (!synced) {
            replaceFromScratch(byRef);
            applyHostState(List.of());
            return;
        }
        List<String> failures = new ArrayList<>();
        for (ServiceRef ref : List.copyOf(installed.keySet())) {
            if (!byRef.containsKey(ref)) {
                try {
                    remove(ref);
                } catch (ServiceProxyException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        for (Service service : byRef.values()) {
            try {
                upsert(service);
            } catch (ServiceProxyException e) {
                failures.add(e.getMessage());
            }
        }
        applyHostState(failures);
        if (!failures.isEmpty()) {
            throw new ServiceProxyException("replacing all services: " + failures.size() + " failed: "
                    + String.join("; ", failures));
        }
    }

    /**
     * The host state (node ports, external and cluster IP routes) is rewritten: after an
     * ovs-vswitchd restart recreated the gateway device, whose routes and neighbours went with it.
     */
    public void reapplyHostState() {
        hostStateChanged();
    }

    /** A new host state version, applied soon by {@link #hostUpdates}' thread. */
    private void hostStateChanged() {
        hostVersion.incrementAndGet();
        hostUpdates.changed();
    }

    /** Stops the thread applying host state changes (the host state itself stays, as the flows do). */
    public void closeHostUpdates() {
        hostUpdates.close();
    }

    /** The installed Services for the host state, as of now. */
    private synchronized HostStateUpdates.Snapshot hostSnapshot() {
        return new HostStateUpdates.Snapshot(hostVersion.get(), installed.values().stream().map(Installed::desired).toList());
    }

    /** Applies the host state of what is installed now (called with the lock held); failures are added. */
    private void applyHostState(List<String> failures) {
        hostVersion.incrementAndGet();
        try {
            hostUpdates.applyNow(hostSnapshot());
        } catch (RuntimeException e) {
            if (failures.isEmpty() && synced) {
                // The flows are in place; only the host side lags: the retry brings it up to date
                // without rewriting the flows.
                hostUpdates.changed();
            }
            LOG.warn("services: the node's iptables rules and routes: {}", e.getMessage(), e);
            throw new ServiceProxyException("services installed, but the node's iptables rules and routes failed: "
                    + e.getMessage() + (failures.isEmpty() ? "" : "; also " + String.join("; ", failures)), e);
        }
    }

    @Override
    public synchronized void upsert(Service service) {
        requireNonNull(service, "service");
        warnUnsupported(service);
        DesiredService desired = DesiredService.of(service, nodeName);
        Installed previous = installed.get(service.ref());
        if (previous != null && previous.desired().equals(desired)) {
            return;
        }
        int serviceId = previous != null ? previous.serviceId() : serviceIds.allocate();
        List<Integer> allocated = new ArrayList<>();
        try {
            Installed next = assignIds(serviceId, desired, previous, allocated);
            List<OfMessage> bundle = new ArrayList<>();
            bundle.add(flows.deleteServiceFlows(serviceId));
            if (previous != null && previous.desired().affinityTimeoutSeconds() != desired.affinityTimeoutSeconds()) {
                // Affinity switched off or its timeout changed: clients start over (an endpoint
                // change alone keeps them: the learned flows have a cookie kind of their own).
                bundle.add(flows.deleteServiceAffinities(serviceId));
            }
            List<Integer> dropped = new ArrayList<>();
            if (previous != null) {
                previous.groups().forEach((fe, group) -> {
                    if (!next.groups().containsKey(fe)) {
                        dropped.add(group);
                    }
                });
            }
            // The flows using a dropped group are deleted above, before the group in the same bundle.
            dropped.forEach(group -> bundle.add(flows.deleteGroup(group)));
            addGroupsAndFlows(next, bundle);
            send(bundle, "service " + service.ref(), () -> published.put(service.ref(), next));
            dropped.forEach(groupIds::release);
            if (previous != null) {
                flushUdpConnections(service.ref(), previous, next);
            }
            installed.put(service.ref(), next);
            if (previous == null || !previous.desired().frontends().keySet().equals(desired.frontends().keySet())) {
                hostStateChanged();
            }
            LOG.debug("service {}: {} frontends installed", service.ref(), next.groups().size());
        } catch (RuntimeException e) {
            // A refused bundle left OVS as before; one that timed out may or may not have been
            // committed. Either way the agent's next replaceAll rewrites everything from scratch.
            allocated.forEach(groupIds::release);
            if (previous == null) {
                serviceIds.release(serviceId);
            }
            synced = false;
            unpublishFailure();
            throw failure("service " + service.ref(), e);
        }
    }

    @Override
    public synchronized void remove(ServiceRef ref) {
        requireNonNull(ref, "ref");
        Installed previous = installed.get(ref);
        if (previous == null) {
            return;
        }
        List<OfMessage> bundle = new ArrayList<>();
        bundle.add(flows.deleteServiceFlows(previous.serviceId()));
        bundle.add(flows.deleteServiceAffinities(previous.serviceId()));
        previous.groups().values().forEach(g -> bundle.add(flows.deleteGroup(g)));
        try {
            send(bundle, "removing service " + ref, () -> published.remove(ref));
        } catch (RuntimeException e) {
            synced = false;
            unpublishFailure();
            throw failure("removing service " + ref, e);
        }
        installed.remove(ref);
        warnings.forget(ref);
        hostStateChanged();
        flushUdpConnections(ref, previous, null);
        previous.groups().values().forEach(groupIds::release);
        serviceIds.release(previous.serviceId());
    }

    /**
     * Forgets what was installed: the next {@link #replaceAll} rewrites every Service from scratch
     * (after a full pipeline install, or when the switch's state is in doubt).
     */
    public synchronized void forgetInstalled() {
        synced = false;
    }

    // ------------------------------------------------------------------ internals

    private void replaceFromScratch(Map<ServiceRef, Service> byRef) {
        List<GroupDesc> existing;
        try {
            existing = await(client.dumpGroupDescs(), "reading the switch's groups");
        } catch (RuntimeException e) {
            throw failure("replacing all services", e);
        }
        installed.clear();
        serviceIds.clear();
        groupIds.clear();
        warnings.retainOnly(byRef.keySet());
        List<OfMessage> bundle = new ArrayList<>();
        bundle.add(flows.deleteAllServiceFlows());
        bundle.add(flows.deleteAllServiceAffinities());
        int stale = 0;
        for (GroupDesc group : existing) {
            if (group.groupId() >= 1 && group.groupId() <= MAX_GROUP_ID) {
                bundle.add(flows.deleteGroup(group.groupId()));
                stale++;
            }
        }
        Map<ServiceRef, Installed> next = new LinkedHashMap<>();
        for (Service service : byRef.values()) {
            warnUnsupported(service);
            Installed i = assignIds(serviceIds.allocate(), DesiredService.of(service, nodeName), null, new ArrayList<>());
            addGroupsAndFlows(i, bundle);
            next.put(service.ref(), i);
        }
        try {
            send(bundle, "replacing all services", () -> {
                published.clear();
                published.putAll(next);
            });
        } catch (RuntimeException e) {
            serviceIds.clear();
            groupIds.clear();
            unpublishFailure();
            throw failure("replacing all " + byRef.size() + " services", e);
        }
        installed.putAll(next);
        synced = true;
        LOG.info("services installed from scratch: {} services, {} earlier groups removed", next.size(), stale);
    }

    /** Reuses the previous group ids of frontends that stay; records new group ids in {@code allocated}. */
    private Installed assignIds(int serviceId, DesiredService desired, Installed previous, List<Integer> allocated) {
        Map<ServiceFrontend, Integer> groups = new LinkedHashMap<>();
        for (ServiceFrontend fe : desired.frontends().keySet()) {
            Integer group = previous == null ? null : previous.groups().get(fe);
            if (group == null) {
                group = groupIds.allocate();
                allocated.add(group);
            }
            groups.put(fe, group);
        }
        return new Installed(serviceId, desired, groups);
    }

    /** Pure: reads only {@code flows}, so full installs may call it without the proxy's lock. */
    private void addGroupsAndFlows(Installed service, List<OfMessage> bundle) {
        List<ServiceLoadBalancer> lbs = new ArrayList<>();
        int affinity = service.desired().affinityTimeoutSeconds();
        service.desired().frontends().forEach((fe, backends) ->
                lbs.add(new ServiceLoadBalancer(fe, service.groups().get(fe), backends, affinity)));
        for (ServiceLoadBalancer lb : lbs) {
            bundle.add(flows.group(lb));
        }
        bundle.addAll(flows.serviceFlows(service.serviceId(), lbs));
    }

    /**
     * Deletes the conntrack entries of UDP connections whose backend {@code next} no longer has
     * ({@code null}: the Service is gone). UDP has no end: without this, a client that keeps its
     * source port keeps reaching the removed endpoint for as long as it keeps sending (kube-proxy
     * clears these entries too). TCP connections are left alone: they end with the endpoint, and an
     * endpoint that is only no longer ready may still finish them. After the bundle, so the next
     * packet of a flushed connection already meets the new group. A failed flush is logged, not
     * thrown: the Service itself is installed.
     */
    private void flushUdpConnections(ServiceRef ref, Installed previous, Installed next) {
        List<OfMessage> flushes = new ArrayList<>();
        previous.desired().frontends().forEach((fe, backends) -> {
            if (fe.protocol() != ServiceFrontend.UDP) {
                return;
            }
            List<ServiceBackend> kept = next == null ? List.of() : next.desired().frontends().getOrDefault(fe, List.of());
            if (kept.isEmpty()) {
                flushes.add(flows.flushConnections(fe));
            } else {
                backends.stream().filter(b -> !kept.contains(b)).forEach(b -> flushes.add(flows.flushConnections(fe, b)));
            }
        });
        if (flushes.isEmpty()) {
            return;
        }
        try {
            await(client.sendConfirmed(flushes), "service " + ref + ": flushing " + flushes.size() + " UDP conntrack"
                    + " selections");
            LOG.debug("service {}: {} UDP conntrack flushes", ref, flushes.size());
        } catch (ServiceProxyException e) {
            LOG.warn("{} (UDP clients keeping their source port may still reach removed endpoints until their "
                    + "conntrack entries expire)", e.getMessage());
        }
    }

    /** Sends one bundle; {@code publish} records its state for full installs (see {@link #published}). */
    private void send(List<OfMessage> bundle, String what, Runnable publish) {
        if (client.isConnected() && client.version() != OfVersion.OF15) {
            // Encoded for 1.3, a group-mod loses its selection method property (ServiceFlows.group).
            throw new ServiceProxyException(what + ": the OpenFlow connection speaks " + client.version()
                    + "; Service groups need OpenFlow 1.5");
        }
        if (installer == null) {
            await(client.bundle(bundle), what);
        } else {
            await(installer.sendRecorded(publish, bundle), what);
        }
    }

    /**
     * After a failed bundle full installs write what the proxy knows is installed (it may be on the
     * switch or not: the agent's replaceAll sorts that out), so they never use ids the proxy has
     * released.
     */
    private void unpublishFailure() {
        if (installer != null) {
            installer.record(() -> {
                published.clear();
                published.putAll(installed);
            });
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ServiceProxyException(what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new ServiceProxyException(what + ": no answer from OVS within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceProxyException(what + ": interrupted", e);
        }
    }

    private static ServiceProxyException failure(String what, RuntimeException e) {
        return e instanceof ServiceProxyException spe ? spe : new ServiceProxyException(what + ": " + e.getMessage(), e);
    }

    /** Once per Service and reason (not on every endpoint change): skipped SCTP ports, a shortened affinity. */
    private void warnUnsupported(Service service) {
        warnings.check(service);
    }
}
