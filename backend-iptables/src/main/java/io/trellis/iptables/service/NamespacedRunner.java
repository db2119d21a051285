package io.trellis.iptables.service;

import io.trellis.iptables.exec.CommandRunner;
import static java.util.Objects.requireNonNull;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import java.util.List;

/**
 * Runs programs in another network namespace: a child is born in the namespace of the thread that
 * forks it, so each run starts from a {@link NamespaceSwitcher} thread inside {@code namespace}.
 * For a proxy that does not run in the node's namespace itself (tests, a lab harness).
 */
final class NamespacedRunner implements CommandRunner {

    private final NamespaceSwitcher switcher;
    private final NetNamespace namespace;
    private final CommandRunner delegate;

    NamespacedRunner(NamespaceSwitcher switcher, NetNamespace namespace, CommandRunner delegate) {
        this.switcher = requireNonNull(switcher, "switcher");
        this.namespace = requireNonNull(namespace, "namespace");
        this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        return switcher.call(namespace, () -> delegate.run(argv, stdin));
    }
}
