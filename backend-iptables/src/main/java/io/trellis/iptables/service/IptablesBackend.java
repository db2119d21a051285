package io.trellis.iptables.service;

import io.trellis.iptables.exec.ProcessRunner;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendContext;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.UninstallContext;
import io.trellis.iptables.policy.IptablesPolicyEnforcerFactory;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.policy.PolicyEnforcerFactory;
import io.trellis.spi.service.ServiceProxyFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code iptables} backend: the Service proxy (kube-proxy's iptables mode, in the agent's network
 * namespace, which is the node's) and NetworkPolicy enforcement with ipset and iptables
 * ({@link IptablesPolicyEnforcerFactory}, fed by the controller's policy stream).
 * Settings: {@code settings.iptables}, keys {@link #settingKeys()}.
 */
public final class IptablesBackend implements TrellisBackend {

    /** How long one iptables-save / iptables-restore / conntrack run may take. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    /** The public no-argument constructor ServiceLoader needs; does no I/O. */
    public IptablesBackend() {
    }

    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public Set<String> settingKeys() {
        // The policy enforcer takes no settings.
        return ProxySettings.KEYS;
    }

    @Override
    public Optional<ServiceProxyFactory> serviceProxy() {
        return Optional.of(this::createServiceProxy);
    }

    @Override
    public Optional<PolicyEnforcerFactory> policy() {
        return Optional.of(new IptablesPolicyEnforcerFactory());
    }

    private IptablesServiceProxy createServiceProxy(BackendContext context) {
        ProxySettings settings = ProxySettings.from(context.settings());
        IpPrefix podCidr = context.network().podCidrs().stream().filter(IpPrefix::isIpv4).findFirst()
                .orElseThrow(() -> new BackendConfigException("the iptables Service proxy needs an IPv4 pod CIDR, the"
                        + " node has " + context.network().podCidrs()));
        IptablesCommands commands = IptablesCommands.find(new ProcessRunner(COMMAND_TIMEOUT));
        return new IptablesServiceProxy(new ServiceRuleGenerator(new ProxyNode(context.nodeName(), podCidr, settings)),
                commands, IptablesServiceProxy.DEFAULT_BATCH_DELAY, IptablesServiceProxy.DEFAULT_RETRY_DELAY);
    }

    /** Removes the Service proxy's and the policy enforcer's chains, the jumps into them and the policy's ipsets; other programs' rules stay. */
    @Override
    public void uninstall(UninstallContext context) {
        ProxySettings.from(context.settings()); // a config the agent would reject is reported here too
        new ServiceChainsCleanup(IptablesCommands.find(new ProcessRunner(COMMAND_TIMEOUT))).run();
        new IptablesPolicyEnforcerFactory().uninstall();
    }
}
