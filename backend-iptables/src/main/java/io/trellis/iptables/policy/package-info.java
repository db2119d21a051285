/**
 * The {@code iptables} backend's NetworkPolicy enforcer: ipset sets of peer addresses and filter chains
 * of its own ({@code TRELLIS-POLICY*}), jumped to from FORWARD and INPUT.
 *
 * <p>Layers, each with one job: {@link io.trellis.iptables.policy.PolicyRuleset} (policies to chains and
 * sets, pure; the chain layout is described there), {@link io.trellis.iptables.policy.PeerPrefixes} and
 * {@link io.trellis.iptables.policy.PortMatches} (ipBlocks and ports to entries and matches, pure),
 * {@link io.trellis.iptables.policy.RestorePlan} and {@link io.trellis.iptables.policy.IpsetPlan} (wanted
 * vs. saved state to one {@code iptables-restore} transaction and {@code ipset restore} inputs, pure),
 * {@link io.trellis.iptables.policy.PolicyCounters} (statistics from saved counters, pure),
 * {@link io.trellis.iptables.policy.PolicyTools} (the programs) and
 * {@link io.trellis.iptables.policy.IptablesPolicyEnforcer} (the SPI).
 *
 * <p>The deciding rules are recorded in the conntrack mark ({@link io.trellis.iptables.policy.ConnmarkLayout}:
 * ingress id in bits 20..31, egress id in bits 8..19).
 */
package io.trellis.iptables.policy;
