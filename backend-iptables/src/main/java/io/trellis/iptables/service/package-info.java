/**
 * The {@code iptables} backend's Service proxy: kube-proxy's iptables mode in chains of its own.
 *
 * <p>Layers, each with one job: {@link io.trellis.iptables.service.ServiceRuleGenerator} (a Service to
 * its rules, pure), {@link io.trellis.iptables.service.RuleSet} (all Services to whole chains plus the
 * jumps from built-in chains), {@link io.trellis.iptables.service.RestorePlan} (two states to one
 * {@code iptables-restore --noflush} transaction naming only the chains that differ, pure),
 * {@link io.trellis.iptables.service.ConntrackCleanup} (stale UDP entries, pure),
 * {@link io.trellis.iptables.service.IptablesCommands} (iptables-save / -restore / conntrack through a
 * {@link io.trellis.iptables.exec.CommandRunner}) and
 * {@link io.trellis.iptables.service.IptablesServiceProxy} (the SPI, batching on one worker thread).
 *
 * <p>Chains: nat {@code TRELLIS-SERVICES} (from PREROUTING and OUTPUT), {@code TRELLIS-NODEPORTS},
 * {@code TRELLIS-MARK-MASQ}, {@code TRELLIS-SVC-POSTROUTING} (from POSTROUTING) and per Service port
 * {@code TRELLIS-SVC-/SVL-/EXT-/SEP-<16 base32 of SHA-256>}; filter {@code TRELLIS-SERVICES} (from
 * FORWARD and OUTPUT) and {@code TRELLIS-EXTERNAL-SERVICES} (from INPUT, FORWARD and OUTPUT), both for
 * new connections only. IPv4 only.
 */
package io.trellis.iptables.service;
