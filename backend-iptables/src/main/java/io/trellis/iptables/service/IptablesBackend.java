package io.trellis.iptables.service;

import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendContext;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.UninstallContext;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.service.ServiceProxyFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code iptables} backend: the Service proxy (kube-proxy's iptables mode, in the agent's network
 * namespace, which is the node's) and, later, NetworkPolicy enforcement with ipset and iptables.
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
        // The policy enforcer's keys join these when policy() is added.
        return ProxySettings.KEYS;
    }

    @Override
    public Optional<ServiceProxyFactory> serviceProxy() {
        return Optional.of(this::createServiceProxy);
    }

    // policy(): the ipset/iptables PolicyEnforcerFactory goes here (issue 7), sharing this backend's settings.

    private IptablesServiceProxy createServiceProxy(BackendContext context) {
        ProxySettings settings = ProxySettings.from(context.settings());
        IpPrefix podCidr = context.network().podCidrs().stream().filter(IpPrefix::isIpv4).findFirst()
                .orElseThrow(() -> new BackendConfigException("the iptables Service proxy needs an IPv4 pod CIDR, the"
                        + " node has " + context.network().podCidrs()));
        IptablesCommands commands = IptablesCommands.find(new ProcessRunner(COMMAND_TIMEOUT));
        return new IptablesServiceProxy(new ServiceRuleGenerator(new ProxyNode(context.nodeName(), podCidr, settings)),
                commands, IptablesServiceProxy.DEFAULT_BATCH_DELAY, IptablesServiceProxy.DEFAULT_RETRY_DELAY);
    }

    /** Removes the Service proxy's chains and the jumps into them; other programs' rules stay. */
    @Override
    public void uninstall(UninstallContext context) {
        ProxySettings.from(context.settings()); // a config the agent would reject is reported here too
        new ServiceChainsCleanup(IptablesCommands.find(new ProcessRunner(COMMAND_TIMEOUT))).run();
    }
}
