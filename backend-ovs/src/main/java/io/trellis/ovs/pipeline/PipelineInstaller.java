package io.trellis.ovs.pipeline;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowStatsRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 */
public final class PipelineInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineInstaller.class);

    private final OpenFlowClient client;
    private final PipelineFlows flows;

    public PipelineInstaller(OpenFlowClient client, PipelineFlows flows) {
        this.client = requireNonNull(client, "client");
        this.flows = requireNonNull(flows, "flows");
    }

    public PipelineFlows flows() {
        return flows;
    }

    /** Replaces every agent-owned flow with the full pipeline for the node and these pods. */
    public CompletableFuture<Void> install(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowMod> desired = flows.all(node, pods);
        List<FlowMod> bundle = new ArrayList<>(desired.size() + 1);
        bundle.add(flows.deleteOwned());
        bundle.addAll(desired);
        LOG.debug("installing pipeline: {} flows for {} pods", desired.size(), pods.size());
        return client.bundle(bundle);
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

    /** Every flow the switch holds with the agent's cookie, as lines, sorted. */
    public CompletableFuture<List<FlowLine>> ownedFlows() {
        CookieScheme cookies = flows.cookies();
        return client.dumpFlows(FlowStatsRequest.cookie(cookies.ownerValue(), cookies.ownerMask()))
                .thenApply(stats -> stats.stream().map(FlowLine::of).sorted().toList());
    }

    /** Compares the switch's agent-owned flows with the desired set for the node and these pods. */
    public CompletableFuture<FlowDiff> diff(NodeNetwork node, Collection<LocalPod> pods) {
        List<FlowLine> desired = flows.all(node, pods).stream().map(FlowLine::of).toList();
        return ownedFlows().thenApply(actual -> FlowDiff.between(desired, actual));
    }
}
