package io.trellis.iptables.policy;

import io.trellis.iptables.exec.ProcessRunner;
import io.trellis.spi.BackendContext;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.policy.PolicyEnforcerFactory;
import java.time.Duration;

/**
 * Creates the ipset/iptables {@link IptablesPolicyEnforcer} working in the agent's network namespace
 * (the node's), and removes what it installs ({@link #uninstall()}). Needs {@code iptables-save},
 * {@code iptables-restore} and {@code ipset} on the PATH or in /usr/sbin, /sbin; takes no settings.
 */
public final class IptablesPolicyEnforcerFactory implements PolicyEnforcerFactory {

    /** How long one iptables-save / iptables-restore / ipset run may take. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    public IptablesPolicyEnforcerFactory() {
    }

    @Override
    public PolicyEnforcer create(BackendContext context) {
        return new IptablesPolicyEnforcer(PolicyTools.find(new ProcessRunner(COMMAND_TIMEOUT)));
    }

    /**
     * Removes every chain, FORWARD/INPUT jump and ipset set the enforcer made in the calling thread's
     * network namespace; other programs' rules and sets stay. Idempotent. Without {@code ipset} on the
     * node only the chains and jumps are looked for (no set of ours can exist then).
     *
     * @throws IllegalStateException when an iptables tool is missing or a tool fails
     */
    public void uninstall() {
        IptablesPolicyEnforcer.uninstall(PolicyTools.findForUninstall(new ProcessRunner(COMMAND_TIMEOUT)));
    }
}
