package io.trellis.ovs.backend;

import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendContext;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.UninstallContext;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.node.NodeRouteDriverFactory;
import io.trellis.spi.pod.PodInterfaceDriverFactory;
import io.trellis.spi.policy.PolicyEnforcerFactory;
import io.trellis.spi.service.ServiceProxyFactory;
import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Open vSwitch backend, {@code ovs} in the agent configuration. It provides pod interfaces
 * (a veth per pod on the integration bridge, forwarded by the agent's OpenFlow pipeline), node
 * routes (the Geneve overlay, {@link OvsNodeRouteDriver}), the Service proxy
 * ({@link io.trellis.ovs.service.OvsServiceProxy}) and NetworkPolicy ({@link io.trellis.ovs.policy.OvsPolicyEnforcer}).
 *
 * <p>The concerns share one {@link OvsPodInterfaceDriver} (its OVS connections, bridge and
 * pipeline installer): the first factory called for a context starts it, the others reuse it. The
 * agent loads one instance of this class per run.
 */
public final class OvsBackend implements TrellisBackend {

    public static final String NAME = "ovs";

    private final Object lock = new Object();
    /** The driver started for {@link #sharedFor}; guarded by lock. */
    private OvsPodInterfaceDriver shared;
    private BackendContext sharedFor;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> settingKeys() {
        return OvsSettings.KEYS;
    }

    @Override
    public Optional<PodInterfaceDriverFactory> podInterface() {
        return Optional.of(this::podDriver);
    }

    @Override
    public Optional<NodeRouteDriverFactory> nodeRoutes() {
        return Optional.of(context -> podDriver(context).nodeRouteDriver(context.network().tunnelType()));
    }

    /**
     * Service load balancing in the pod driver's pipeline ({@link io.trellis.ovs.service.OvsServiceProxy}):
     * needs this backend as {@code podInterface} too, since the Services' flows live in its pipeline.
     */
    @Override
    public Optional<ServiceProxyFactory> serviceProxy() {
        return Optional.of(context -> podDriver(context).serviceProxy(context.nodeName()));
    }

    /**
     * NetworkPolicy enforcement in the pod driver's pipeline ({@link io.trellis.ovs.policy.OvsPolicyEnforcer}):
     * needs this backend as {@code podInterface} too, since the policy flows live in its pipeline.
     */
    @Override
    public Optional<PolicyEnforcerFactory> policy() {
        return Optional.of(context -> podDriver(context).policyEnforcer());
    }

    /** Removes bridges, gateway routes, iptables chains and the uplink bridge ({@link OvsNodeCleanup}). */
    @Override
    public void uninstall(UninstallContext context) {
        OvsNodeCleanup.run(OvsSettings.from(context.settings()), OvsPodInterfaceDriver.DEFAULT_TIMEOUT);
    }

    /** The pod driver of this context, started on first use; a closed one (an earlier run) is replaced. */
    OvsPodInterfaceDriver podDriver(BackendContext context) {
        synchronized (lock) {
            if (shared == null || shared.isClosed() || !context.equals(sharedFor)) {
                shared = createPodInterfaceDriver(context);
                sharedFor = context;
            }
            return shared;
        }
    }

    /**
     * Reads the settings and the node's IPv4 pod CIDR, then starts the driver in the agent's own
     * network namespace, where ovs-vswitchd's devices live.
     */
    static OvsPodInterfaceDriver createPodInterfaceDriver(BackendContext context) {
        OvsSettings settings = OvsSettings.from(context.settings());
        Ipv4Subnet podCidr = ipv4PodCidr(context.network().podCidrs());
        return OvsPodInterfaceDriver.start(settings, podCidr, NodeNetlink.current(Syscalls.system()),
                OvsPodInterfaceDriver.DEFAULT_TIMEOUT);
    }

    /** The IPv4 pod CIDR: the pipeline forwards IPv4 only for now. */
    static Ipv4Subnet ipv4PodCidr(List<IpPrefix> podCidrs) {
        return podCidrs.stream().filter(IpPrefix::isIpv4).findFirst()
                .map(p -> new Ipv4Subnet((Inet4Address) p.network(), p.prefixLength()))
                .orElseThrow(() -> new BackendConfigException("network.podCidr: the ovs backend needs an IPv4 pod CIDR, got "
                        + podCidrs));
    }
}
