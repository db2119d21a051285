/**
 * The OVS backend's flow pipeline for pod networking on one node.
 *
 * <ul>
 *   <li>{@link io.trellis.ovs.pipeline.PipelineStage} declares the stages in order;
 *       {@link io.trellis.ovs.pipeline.Pipeline} numbers the enabled ones (table IDs are never
 *       written by hand) and builds flow-mods with the right table and goto_table.</li>
 *   <li>{@link io.trellis.ovs.pipeline.PipelineFlows} computes the flows from the model
 *       ({@link io.trellis.ovs.pipeline.NodeNetwork}, {@link io.trellis.ovs.pipeline.LocalPod});
 *       its class comment walks a packet through the stages and gives the design choices.</li>
 *   <li>{@link io.trellis.ovs.pipeline.CookieScheme} marks the agent's flows;
 *       {@link io.trellis.ovs.pipeline.PipelineInstaller} replaces them in one bundle, adds and
 *       removes a pod's, and diffs the switch against the desired set
 *       ({@link io.trellis.ovs.pipeline.FlowDiff} of {@link io.trellis.ovs.pipeline.FlowLine}s).</li>
 * </ul>
 *
 * <p>Not here yet: SNAT of pod traffic leaving the node (the node's masquerade rule, outside OVS),
 * flows towards other nodes (tunnel or routes), services and policy; each adds stages.
 * The bridge is expected in {@code fail_mode=secure}, so nothing but the agent's flows forwards.
 */
package io.trellis.ovs.pipeline;
