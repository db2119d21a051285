/**
 * Running the kernel tools this module drives (iptables-save/-restore, ipset, conntrack) as child processes of
 * the calling thread, so in its network namespace; shared by the Service proxy and the policy enforcer.
 */
package io.trellis.iptables.exec;
