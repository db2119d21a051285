package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod egress on the node: IPv4 forwarding on, and the {@link MasqueradeRules} in iptables, so pods
 * reach addresses outside the pod CIDR through the gateway with the node's address as source.
 *
 * <p>Everything happens in the node's network namespace, wherever the calling thread is:
 * {@code /proc/sys/net} shows the namespace of the thread that opens it, and a child process is
 * born in its forking thread's namespace, so both run on a {@link NamespaceSwitcher} thread.
 *
 * <p>The agent installs at every start ({@link #install} is idempotent) and leaves the rules in
 * place when it stops, so pods keep their egress across agent restarts; only {@link #uninstall}
 * (an explicit node clean-up) removes them.
 */
public final class NodeMasquerade {

    /** Per network namespace; resolved in the namespace of the thread that opens it. */
    static final Path IPV4_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

    private static final Logger LOG = LoggerFactory.getLogger(NodeMasquerade.class);

    private final NamespaceSwitcher switcher;
    private final NetNamespace node;
    private final NamespacedIptables iptables;

    NodeMasquerade(NamespaceSwitcher switcher, NetNamespace node, NamespacedIptables iptables) {
        this.switcher = requireNonNull(switcher, "switcher");
        this.node = requireNonNull(node, "node");
        this.iptables = requireNonNull(iptables, "iptables");
    }

    /** Works in {@code netlink}'s node namespace; iptables commands may take up to {@code timeout}. */
    public static NodeMasquerade inNode(NodeNetlink netlink, Duration timeout) {
        requireNonNull(netlink, "netlink");
        return new NodeMasquerade(netlink.switcher(), netlink.nodeNamespace(),
                NamespacedIptables.in(netlink.switcher(), netlink.nodeNamespace(), timeout));
    }

    /** Turns IPv4 forwarding on and makes the node's TRELLIS chains hold exactly {@code rules}. */
    public synchronized void install(MasqueradeRules rules) {
        requireNonNull(rules, "rules");
        enableIpv4Forwarding();
        String input = rules.installInput(iptables.save("nat"), iptables.save("filter"));
        iptables.restore(input);
        LOG.info("pod egress from {} masqueraded in netns {} (except to {})", rules.podCidr(), node.description(),
                rules.nonMasqueradeDestinations());
    }

    /**
     * Removes the TRELLIS chains and the jumps to them. IPv4 forwarding stays on: other software on
     * the node may rely on it.
     */
    public synchronized void uninstall() {
        String input = MasqueradeRules.uninstallInput(iptables.save("nat"), iptables.save("filter"));
        if (!input.isEmpty()) {
            iptables.restore(input);
        }
        LOG.info("pod egress rules removed from netns {}", node.description());
    }

    /** Whether the node namespace forwards IPv4. */
    public boolean ipv4ForwardingEnabled() {
        return switcher.call(node, () -> Files.readString(IPV4_FORWARD, StandardCharsets.US_ASCII).strip().equals("1"));
    }

    private void enableIpv4Forwarding() {
        if (ipv4ForwardingEnabled()) {
            return; // a write, even of the same value, also rewrites accept_redirects on every interface
        }
        switcher.run(node, () -> {
            try {
                Files.writeString(IPV4_FORWARD, "1\n", StandardCharsets.US_ASCII);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot enable IPv4 forwarding (" + IPV4_FORWARD + ") in netns "
                        + node.description() + ": " + e.getMessage(), e);
            }
        });
        LOG.info("IPv4 forwarding enabled in netns {}", node.description());
    }
}
