package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowStatsRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
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

    /** Replaces every agent-owned flow with the full pipeline for the node and these pods, overlay included. */
    public synchronized CompletableFuture<Void> install(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowMod> bundle = installBundle(node, pods);
        LOG.debug("installing pipeline: {} flows for {} pods, {} remote nodes", bundle.size() - 1, pods.size(),
                remotes.size());
        return client.bundle(bundle);
    }

    /**
     * The bundle of {@link #install}: delete every owned flow, then the pipeline, then (once the
     * tunnel is on) the tunnel flows and every remote node's flows.
     */
    public synchronized List<FlowMod> installBundle(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowMod> bundle = new ArrayList<>();
        bundle.add(flows.deleteOwned());
        bundle.addAll(desired(node, pods));
        return bundle;
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

    /** Compares the switch's agent-owned flows with the desired set for the node and these pods, overlay included. */
    public CompletableFuture<FlowDiff> diff(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowLine> desired;
        synchronized (this) {
            desired = desired(node, pods).stream().map(FlowLine::of).toList();
        }
        return ownedFlows().thenApply(actual -> FlowDiff.between(desired, actual));
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
