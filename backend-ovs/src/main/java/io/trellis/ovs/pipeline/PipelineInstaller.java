package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowStatsRequest;
import io.trellis.ovs.openflow.message.OfMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the pipeline on a connected switch. Every change is one OpenFlow bundle, committed
 * atomically and in order (OpenFlow 1.5.1 section 7.3.9): a packet sees the flows from before
 * or from after, never a half-written table.
 *
 * <p>{@link #install} is what an agent does at start and after any doubt (its restart, OVS's
 * restart, a reconnect): delete every flow with the agent's cookie, add the desired ones, in one
 * bundle. Flows left by an earlier run are gone, flows still wanted come back unchanged, and
 * running pods never meet a moment without forwarding flows.
 *
 * <p>The installer also holds the overlay's desired state (the tunnel port, the remote nodes),
 * set by {@link #installTunnel}, {@link #replaceRemoteNodes}, {@link #upsertRemoteNode} and
 * {@link #removeRemoteNode}: a full install includes the overlay flows in the same bundle, so
 * reinstalling the pipeline never cuts traffic between nodes. Overlay changes and full installs
 * are serialised on this object, so a bundle computed earlier is also sent earlier.
 *
 * <p>Other features keep their own state and contribute it as a {@link FullInstallPart} (the
 * Service proxy's groups and flows): a full install appends each part's messages to the same
 * bundle. Such a feature changes its state and sends its own bundles through
 * {@link #sendRecorded}, so no full install falls between the state change and its bundle. Flows
 * OVS learned for a part ({@link FullInstallPart#keptCookieKinds}, the Services' ClientIP
 * affinities) survive full installs: the deletes skip their cookie kinds.
 */
public final class PipelineInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineInstaller.class);

    private final OpenFlowClient client;
    private final PipelineFlows flows;
    private final OverlayFlows overlay;
    /** The tunnel port's OpenFlow port once the overlay is on; guarded by this. */
    private OptionalInt tunnelOfport = OptionalInt.empty();
    /** Desired remote nodes by name; guarded by this. */
    private final Map<String, RemoteNode> remotes = new LinkedHashMap<>();
    private final List<FullInstallPart> parts = new CopyOnWriteArrayList<>();

    /**
     * State another feature keeps on the switch that every full install must write again (after
     * the pipeline and overlay, in the same bundle), since the install deletes every flow with the
     * agent's cookie and a restarted ovs-vswitchd has no groups.
     */
    @FunctionalInterface
    public interface FullInstallPart {
        /**
         * The messages recreating the part's state from nothing but the pipeline (group mods before
         * the flows that use them). Called with the installer's lock held: the part's state must
         * only change in {@link #sendRecorded} or {@link #record}, and this must not block on OVS.
         */
        List<OfMessage> fullInstallMessages();

        /**
         * Cookie kinds of flows OVS learns for this part ({@code learn} actions) that full installs
         * must leave in place: they are no desired state the part could write again, and deleting
         * them resets what the switch remembers (a Service's ClientIP affinities). The part itself
         * deletes those that no longer apply, in its own bundles. None by default.
         */
        default Set<Integer> keptCookieKinds() {
            return Set.of();
        }

        /**
         * A part whose learned flows of the cookie kinds {@code keptCookieKinds} survive full installs.
         *
         * @throws IllegalArgumentException naming a kind outside 1..255
         */
        static FullInstallPart keeping(Set<Integer> keptCookieKinds, Supplier<List<OfMessage>> messages) {
            Set<Integer> kept = Set.copyOf(keptCookieKinds);
            for (int kind : kept) {
                if (kind < 1 || kind > 0xff) {
                    throw new IllegalArgumentException("kept cookie kind: " + kind + " out of range 1..255");
                }
            }
            requireNonNull(messages, "messages");
            return new FullInstallPart() {
                @Override
                public List<OfMessage> fullInstallMessages() {
                    return messages.get();
                }

                @Override
                public Set<Integer> keptCookieKinds() {
                    return kept;
                }
            };
        }
    }

    public PipelineInstaller(OpenFlowClient client, PipelineFlows flows) {
        this.client = requireNonNull(client, "client");
        this.flows = requireNonNull(flows, "flows");
        this.overlay = OverlayFlows.of(flows);
    }

    public PipelineFlows flows() {
        return flows;
    }

    public OverlayFlows overlay() {
        return overlay;
    }

    /** The switch connection every bundle of this installer goes through. */
    public OpenFlowClient client() {
        return client;
    }

    /** Adds state that every later full install writes too. */
    public void addFullInstallPart(FullInstallPart part) {
        parts.add(requireNonNull(part, "part"));
    }

    /**
     * Runs {@code change} (which changes what a {@link FullInstallPart} returns) and then sends
     * {@code bundle}, with no full install in between: a full install either comes before both
     * (and the bundle applies the change on top of it) or after both (and writes the changed state).
     */
    public synchronized CompletableFuture<Void> sendRecorded(Runnable change, List<? extends OfMessage> bundle) {
        requireNonNull(bundle, "bundle");
        requireNonNull(change, "change").run();
        return client.bundle(bundle);
    }

    /** Runs {@code change} to a {@link FullInstallPart}'s state with no full install running meanwhile. */
    public synchronized void record(Runnable change) {
        requireNonNull(change, "change").run();
    }

    /** Replaces every agent-owned flow with the full pipeline for the node and these pods, overlay included. */
    public synchronized CompletableFuture<Void> install(NodeNetwork node, Collection<LocalPod> pods) {
        List<OfMessage> bundle = new ArrayList<>(installBundle(node, pods));
        int flows = bundle.size() - 1;
        for (FullInstallPart part : parts) {
            bundle.addAll(part.fullInstallMessages());
        }
        LOG.debug("installing pipeline: {} flows for {} pods, {} remote nodes, {} messages of other features",
                flows, pods.size(), remotes.size(), bundle.size() - 1 - flows);
        return client.bundle(bundle);
    }

    /**
     * The bundle of {@link #install} without the {@link FullInstallPart}s: delete every owned flow,
     * then the pipeline, then (once the tunnel is on) the tunnel flows and every remote node's flows.
     */
    public synchronized List<FlowMod> installBundle(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowMod> bundle = new ArrayList<>(flows.deleteOwnedExcept(keptCookieKinds()));
        bundle.addAll(desired(node, pods));
        return bundle;
    }

    /**
     * The first install after an agent restart: like {@link #install}, except that while this
     * installer does not know the overlay yet (no {@link #installTunnel} so far) the tunnel and
     * remote-node flows already on the switch stay as they are. The overlay driver learns the remote
     * nodes only from the Node sync that follows; until it replaces them, traffic between nodes keeps
     * flowing on the flows the previous agent left.
     */
    public synchronized CompletableFuture<Void> installKeepingOverlay(NodeNetwork node, Collection<LocalPod> pods) {
        List<OfMessage> bundle = new ArrayList<>(installKeepingOverlayBundle(node, pods));
        int flowMods = bundle.size();
        // The FullInstallParts' state (Services) is rewritten as by install: their flows were deleted above.
        for (FullInstallPart part : parts) {
            bundle.addAll(part.fullInstallMessages());
        }
        LOG.debug("installing pipeline{}: {} flow mods for {} pods, {} messages of other features",
                tunnelOfport.isPresent() ? "" : ", overlay flows kept", flowMods, pods.size(), bundle.size() - flowMods);
        return client.bundle(bundle);
    }

    /** The bundle of {@link #installKeepingOverlay} without the {@link FullInstallPart}s. */
    public synchronized List<FlowMod> installKeepingOverlayBundle(NodeNetwork node, Collection<LocalPod> pods) {
        if (tunnelOfport.isPresent()) {
            return installBundle(node, pods);
        }
        List<FlowMod> bundle = new ArrayList<>(flows.deleteOwnedExceptOverlay(keptCookieKinds()));
        bundle.addAll(desired(node, pods));
        return bundle;
    }

    /**
     * The cookie kinds of learned flows full installs leave in place: those of the registered
     * {@link FullInstallPart}s (none before a part is added, so the first install at agent start
     * still clears what an earlier run learned).
     */
    public Set<Integer> keptCookieKinds() {
        Set<Integer> kept = new TreeSet<>();
        parts.forEach(part -> kept.addAll(part.keptCookieKinds()));
        return Set.copyOf(kept);
    }

    /** Adds a pod's flows, replacing whatever flows the pod's port had (a changed IP or MAC). */
    public CompletableFuture<Void> addPod(NodeNetwork node, LocalPod pod) {
        List<FlowMod> podFlows = flows.podFlows(node, pod);
        List<FlowMod> bundle = new ArrayList<>(podFlows.size() + 1);
        bundle.add(flows.deletePod(pod.ofport()));
        bundle.addAll(podFlows);
        LOG.debug("adding pod {} on port {}: {} flows", pod.name(), pod.ofport(), podFlows.size());
        return client.bundle(bundle);
    }

    /** Removes every flow of the pod on {@code ofport}; its port's packets are then dropped by the classifier. */
    public CompletableFuture<Void> removePod(int ofport) {
        LOG.debug("removing flows of port {}", ofport);
        return client.bundle(List.of(flows.deletePod(ofport)));
    }

    // ------------------------------------------------------------------ overlay

    /** Turns the overlay on with the tunnel port at {@code ofport}: (re)writes the tunnel flows. */
    public synchronized CompletableFuture<Void> installTunnel(int ofport) {
        List<FlowMod> tunnelFlows = overlay.tunnelFlows(ofport);
        List<FlowMod> bundle = new ArrayList<>();
        bundle.add(overlay.deleteTunnel());
        bundle.addAll(tunnelFlows);
        tunnelOfport = OptionalInt.of(ofport);
        return client.bundle(bundle);
    }

    /**
     * Makes {@code desired} the complete set of remote nodes: every remote-node flow is replaced in
     * one bundle. Nothing changes if a node's flows cannot be computed (overlapping pod CIDR).
     *
     * @throws IllegalArgumentException naming the node whose pod CIDR overlaps the local one
     */
    public synchronized CompletableFuture<Void> replaceRemoteNodes(NodeNetwork node, Collection<RemoteNode> desired) {
        Map<String, RemoteNode> byName = new LinkedHashMap<>();
        List<FlowMod> bundle = new ArrayList<>();
        bundle.add(overlay.deleteAllRemoteNodes());
        for (RemoteNode remote : desired) {
            bundle.addAll(overlay.remoteNodeFlows(node, remote));
            byName.put(remote.name(), remote);
        }
        remotes.clear();
        remotes.putAll(byName);
        return client.bundle(bundle);
    }

    /**
     * Adds or changes one remote node: its previous flows (under its previous IP) and any flows under
     * its new IP are replaced in one bundle.
     *
     * @throws IllegalArgumentException naming the node whose pod CIDR overlaps the local one
     */
    public synchronized CompletableFuture<Void> upsertRemoteNode(NodeNetwork node, RemoteNode remote) {
        List<FlowMod> nodeFlows = overlay.remoteNodeFlows(node, remote);
        List<FlowMod> bundle = new ArrayList<>();
        RemoteNode previous = remotes.get(remote.name());
        if (previous != null && !previous.nodeIp().equals(remote.nodeIp())) {
            bundle.add(overlay.deleteRemoteNode(previous));
        }
        bundle.add(overlay.deleteRemoteNode(remote));
        bundle.addAll(nodeFlows);
        remotes.put(remote.name(), remote);
        return client.bundle(bundle);
    }

    /** Removes one remote node's flows; an unknown name sends nothing. */
    public synchronized CompletableFuture<Void> removeRemoteNode(String name) {
        RemoteNode previous = remotes.remove(requireNonNull(name, "name"));
        if (previous == null) {
            return CompletableFuture.completedFuture(null);
        }
        return client.bundle(List.of(overlay.deleteRemoteNode(previous)));
    }

    /** The desired remote nodes, by name. */
    public synchronized Map<String, RemoteNode> remoteNodes() {
        return Map.copyOf(remotes);
    }

    // ------------------------------------------------------------------ reading back

    /** Every flow the switch holds with the agent's cookie, as lines, sorted. */
    public CompletableFuture<List<FlowLine>> ownedFlows() {
        CookieScheme cookies = flows.cookies();
        return client.dumpFlows(FlowStatsRequest.cookie(cookies.ownerValue(), cookies.ownerMask()))
                .thenApply(stats -> stats.stream().map(FlowLine::of).sorted().toList());
    }

    /** Whether the owned flow with {@code cookie} is of a kind full installs leave in place (learned). */
    private boolean isKept(long cookie, Set<Integer> kept) {
        CookieScheme cookies = flows.cookies();
        return kept.stream().anyMatch(kind -> (cookie & cookies.kindMask()) == cookies.kindValue(kind));
    }

    /**
     * Compares the switch's agent-owned flows with the desired set for the node and these pods,
     * overlay and the flows of the {@link FullInstallPart}s included; learned flows of their
     * {@link FullInstallPart#keptCookieKinds} are no desired state and not compared.
     */
    public CompletableFuture<FlowDiff> diff(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowLine> desired = new ArrayList<>();
        synchronized (this) {
            desired(node, pods).forEach(f -> desired.add(FlowLine.of(f)));
            for (FullInstallPart part : parts) {
                part.fullInstallMessages().stream().filter(FlowMod.class::isInstance)
                        .forEach(m -> desired.add(FlowLine.of((FlowMod) m)));
            }
        }
        Set<Integer> kept = keptCookieKinds();
        return ownedFlows().thenApply(actual -> FlowDiff.between(desired,
                actual.stream().filter(line -> !isKept(line.cookie(), kept)).toList()));
    }

    private List<FlowMod> desired(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowMod> desired = new ArrayList<>(flows.all(node, pods));
        if (tunnelOfport.isPresent()) {
            desired.addAll(overlay.tunnelFlows(tunnelOfport.getAsInt()));
            for (RemoteNode remote : remotes.values()) {
                desired.addAll(overlay.remoteNodeFlows(node, remote));
            }
        }
        return desired;
    }
}
