package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.ovs.ovsdb.BridgeInfo;
import io.trellis.ovs.ovsdb.OpenVSwitchDatabase;
import io.trellis.ovs.ovsdb.OvsdbClient;
import io.trellis.ovs.ovsdb.OvsdbClientOptions;
import io.trellis.ovs.ovsdb.PortInfo;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import io.trellis.netlink.route.Route;
import io.trellis.netlink.route.Rtm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what the {@code ovs} backend did to a node (for {@code trellis-agent --uninstall}): the
 * host ends of pod veths, the integration bridge (with its gateway and tunnel ports, whose kernel
 * routes go with the gateway device), the pod egress and Service iptables chains (node ports,
 * {@link ServiceHostNetwork}), leftover gateway and Service routes, and
 * the uplink bridge, whose addresses and routes go back to the uplink. Each step is idempotent and
 * runs even when an earlier one found nothing to do; ovs-vswitchd and ovsdb-server must be running.
 */
public final class OvsNodeCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(OvsNodeCleanup.class);

    private final OvsSettings settings;
    private final OpenVSwitchDatabase db;
    private final NodeNetlink netlink;
    private final Duration timeout;

    public OvsNodeCleanup(OvsSettings settings, OpenVSwitchDatabase db, NodeNetlink netlink, Duration timeout) {
        this.settings = requireNonNull(settings, "settings");
        this.db = requireNonNull(db, "db");
        this.netlink = requireNonNull(netlink, "netlink");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    /** Connects to OVS in the calling thread's network namespace and cleans up; what was removed, for the log. */
    public static List<String> run(OvsSettings settings, Duration timeout) {
        try (NettyTransport transport = new NettyTransport(1, "trellis-ovs-uninstall");
             OvsdbClient ovsdb = new OvsdbClient(transport, new Endpoint.Unix(settings.ovsdbSocket()),
                     OvsdbClientOptions.DEFAULT);
             NodeNetlink netlink = NodeNetlink.current(Syscalls.system())) {
            Await.result(ovsdb.connect(), timeout, "connect to ovsdb-server at " + settings.ovsdbSocket());
            return new OvsNodeCleanup(settings, new OpenVSwitchDatabase(ovsdb), netlink, timeout).run();
        }
    }

    public List<String> run() {
        List<String> done = new ArrayList<>();
        String integration = settings.integrationBridge();
        List<BridgeInfo> bridges = Await.result(db.listBridges(), timeout, "list bridges");
        RtNetlink rtnl = netlink.node();
        if (bridges.stream().anyMatch(b -> b.name().equals(integration))) {
            for (PortInfo port : Await.result(db.listPorts(integration), timeout, "list ports of " + integration)) {
                if (PodPortRecord.isOurs(port.externalIds()) && rtnl.links().get(port.name()).isPresent()) {
                    rtnl.links().delete(port.name()); // the veth pair: the pod's end goes with it
                    done.add("pod interface " + port.name());
                }
            }
            Await.result(db.deleteBridge(integration), timeout, "delete bridge " + integration);
            done.add("bridge " + integration);
        }
        for (Route r : rtnl.routes().list(Syscalls.AF_INET, Rtm.RT_TABLE_MAIN)) {
            if (r.protocol() == GatewayHostRoutes.RTPROT_TRELLIS) {
                rtnl.routes().delete(r);
                done.add("route " + r.describe());
            }
        }
        NodeMasquerade.inNode(netlink, timeout).uninstall();
        ServiceHostNetwork.inNode(netlink, OvsNodeSetup.GATEWAY_PORT, timeout).uninstall();
        done.add("iptables chains TRELLIS-*");
        if (new UplinkBridge(db, netlink, settings.uplinkBridge(), timeout).restore()) {
            done.add("uplink bridge " + settings.uplinkBridge() + " (addresses and routes back on the uplink)");
        }
        LOG.info("uninstalled: {}", done);
        return done;
    }
}
