package io.trellis.lab.node;

import io.trellis.lab.LabPaths;
import io.trellis.lab.LabState;
import io.trellis.lab.LabState.NodeState;
import io.trellis.lab.Processes;
import io.trellis.lab.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One lab node: a network namespace with an uplink ({@code eth0}) on the lab's underlay bridge, with the ovs
 * backend its own ovsdb-server and ovs-vswitchd (userspace datapath, own OVS_RUNDIR; see
 * shared/recipes/ovs-two-node-lab.sh), and the Trellis agent running inside the namespace.
 */
public final class LabNode {
    public static final String UNDERLAY_BRIDGE = "br-underlay";
    public static final int UNDERLAY_PREFIX_LENGTH = 24;
    /**
     * The underlay's router: the nodes' default gateway, an address of the underlay bridge in the underlay
     * namespace, which forwards nothing. A real node always has a default route, and kube-proxy-style Service
     * proxies rely on it: a host-network client's connect() to a cluster IP needs a route before nat OUTPUT can
     * DNAT it, and a pod's packet to a cluster IP without endpoints needs one to reach the filter FORWARD chain
     * that rejects it. What no rule rewrites ends here, inside the lab.
     */
    public static final String UNDERLAY_GATEWAY_IP = "10.250.0.254";

    private final LabPaths paths;
    private final Shell shell;
    private final Processes processes;
    private final NodeState node;

    public LabNode(LabPaths paths, Shell shell, Processes processes, NodeState node) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.shell = Objects.requireNonNull(shell, "shell");
        this.processes = Objects.requireNonNull(processes, "processes");
        this.node = Objects.requireNonNull(node, "node");
    }

    /**
     * The underlay namespace holding a plain Linux bridge that joins the nodes' uplinks, with the nodes' default
     * gateway ({@link #UNDERLAY_GATEWAY_IP}) on it; forwarding off, so it routes nothing anywhere.
     */
    public static void createUnderlay(Shell shell, String underlayNetns) {
        shell.check("ip", "netns", "add", underlayNetns);
        shell.check("ip", "-n", underlayNetns, "link", "set", "lo", "up");
        shell.check("ip", "-n", underlayNetns, "link", "add", UNDERLAY_BRIDGE, "type", "bridge");
        shell.check("ip", "-n", underlayNetns, "link", "set", UNDERLAY_BRIDGE, "up");
        shell.check(Shell.inNetns(underlayNetns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"), Map.of());
        shell.check("ip", "-n", underlayNetns, "addr", "add", UNDERLAY_GATEWAY_IP + "/" + UNDERLAY_PREFIX_LENGTH, "dev",
                UNDERLAY_BRIDGE);
    }

    /**
     * A client outside the cluster: namespace {@code outsideNetns} with {@code eth0} at {@code ip} on the
     * underlay bridge (no route beyond the underlay; tests add routes to external IPs via a node).
     */
    public static void createOutsideClient(Shell shell, String underlayNetns, String outsideNetns, String ip) {
        shell.check("ip", "netns", "add", outsideNetns);
        shell.check("ip", "-n", outsideNetns, "link", "set", "lo", "up");
        shell.check("ip", "-n", underlayNetns, "link", "add", "out0", "type", "veth", "peer", "name", "eth0", "netns",
                outsideNetns);
        shell.check("ip", "-n", underlayNetns, "link", "set", "out0", "master", UNDERLAY_BRIDGE, "up");
        shell.check("ip", "-n", outsideNetns, "addr", "add", ip + "/" + UNDERLAY_PREFIX_LENGTH, "dev", "eth0");
        shell.check("ip", "-n", outsideNetns, "link", "set", "eth0", "up");
        // As on the pods' interfaces in netdev mode: OVS's userspace datapath forwards the frames as they are,
        // so a checksum left to offload would reach the node's stack unfilled (and conntrack would drop it).
        shell.check("ip", "netns", "exec", outsideNetns, "ethtool", "-K", "eth0", "tx", "off");
    }

    /**
     * The namespace and its uplink: a veth created inside the underlay namespace, so no link ever exists in the
     * host's; the default route via the underlay's router ({@link #UNDERLAY_GATEWAY_IP}), as a real node has one.
     */
    public void createNamespace(String underlayNetns, int index) {
        String ns = node.netns();
        shell.check("ip", "netns", "add", ns);
        shell.check("ip", "-n", ns, "link", "set", "lo", "up");
        String port = "n" + index;
        shell.check("ip", "-n", underlayNetns, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        shell.check("ip", "-n", underlayNetns, "link", "set", port, "master", UNDERLAY_BRIDGE, "up");
        shell.check("ip", "-n", ns, "addr", "add", node.internalIp() + "/" + UNDERLAY_PREFIX_LENGTH, "dev", "eth0");
        shell.check("ip", "-n", ns, "link", "set", "eth0", "up");
        shell.check("ip", "-n", ns, "route", "add", "default", "via", UNDERLAY_GATEWAY_IP, "dev", "eth0");
    }

    /** ovsdb-server and ovs-vswitchd inside the node namespace, both with their files under the node's ovs dir. */
    public void startOvs() {
        Path dir = paths.ovsDir(node.name());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String db = dir.resolve("conf.db").toString();
        String sock = dir.resolve("db.sock").toString();
        shell.check("ovsdb-tool", "create", db, "/usr/share/openvswitch/vswitch.ovsschema");
        shell.check(Shell.inNetns(node.netns(), "ovsdb-server", db, "--remote=punix:" + sock,
                "--pidfile=" + dir.resolve("ovsdb-server.pid"), "--detach",
                "--log-file=" + dir.resolve("ovsdb-server.log"), "--unixctl=" + dir.resolve("ovsdb-server.ctl")), Map.of());
        shell.check("ovs-vsctl", "--db=unix:" + sock, "--no-wait", "init");
        shell.check(Shell.inNetns(node.netns(), "ovs-vswitchd", "unix:" + sock,
                "--pidfile=" + dir.resolve("ovs-vswitchd.pid"), "--detach",
                "--log-file=" + dir.resolve("ovs-vswitchd.log"), "--unixctl=" + dir.resolve("ovs-vswitchd.ctl")),
                Map.of("OVS_RUNDIR", dir.toString()));
    }

    /**
     * Writes the agent's configuration for the lab's backend ({@link AgentConfigYaml}): with ovs this node's OVS
     * instance and the userspace datapath, with iptables the Linux bridge and the kernel VXLAN device.
     */
    public Path writeAgentConfig(LabState state) {
        String yaml = new AgentConfigYaml(paths, node.name(), state).render();
        Path file = paths.agentConfig(node.name());
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /**
     * Starts the agent inside the node namespace; its pid. It waits up to {@code nodeTimeout} for its Node and
     * the pod CIDR the controller allocates.
     */
    public long startAgent(Path agentExecutable, LabState state, Duration nodeTimeout) {
        Path config = writeAgentConfig(state);
        List<String> command = Shell.inNetns(node.netns(), agentExecutable.toString(), "--config", config.toString(),
                "--kubeconfig", paths.kubeconfig().toString(), "--node-timeout", Long.toString(nodeTimeout.toSeconds()));
        return processes.startDetached(command, paths.agentLog(node.name()), Map.of());
    }

    /** Stops the agent only (SIGTERM: it leaves the data plane as it is), e.g. before starting it again. */
    public void stopAgent() {
        processes.stop(node.agentPid(), Duration.ofSeconds(10));
    }

    /** The pids of this node's ovs-vswitchd and ovsdb-server (0 for one that never wrote its pid file). */
    public List<Long> ovsPids() {
        Path dir = paths.ovsDir(node.name());
        return List.of(Processes.readPidFile(dir.resolve("ovs-vswitchd.pid")),
                Processes.readPidFile(dir.resolve("ovsdb-server.pid")));
    }
}
