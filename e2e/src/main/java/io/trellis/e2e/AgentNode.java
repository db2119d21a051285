package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.backend.OvsNodeSetup;
import io.trellis.ovs.backend.OvsPodInterfaceDriver;
import io.trellis.ovs.pipeline.FlowLine;
import io.trellis.ovs.pipeline.Ipv4Subnet;
import io.trellis.ovs.pipeline.LocalPod;
import io.trellis.ovs.pipeline.NodeNetwork;
import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.CommandRunner;
import io.trellis.ovs.testing.OvsSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kubernetes node under test, the way it runs in production but sandboxed: the network
 * namespace of an {@link OvsSandbox} (own ovsdb-server and ovs-vswitchd, userspace datapath) plays
 * the node; inside it run the Kubernetes API stand-in holding the Node ({@link ApiStandInProcess})
 * and the agent ({@code core-agent/bin/trellis-agent}, as its own process, with the real
 * {@code host-local} and {@code ovs} backends). Pods are namespaces {@code <sandbox>p<N>} (removed
 * with the sandbox, also after a crashed run), attached through the real {@code trellis-cni}.
 *
 * <p>With {@link Options#withIptables()} the node is the kernel data plane instead: a plain
 * {@link NodeNetns} without OVS, the agent with {@code podInterface: linux-bridge} and
 * {@code serviceProxy: iptables} (if asked); the OVS accessors ({@link #sandbox()}, flows, ports) then throw.
 */
public final class AgentNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentNode.class);
    public static final String BRIDGE = "br-int";
    public static final String NODE_NAME = "e2e-node";
    /** The stand-in uplink holding the InternalIP with {@link Options#nodeRoutes()}. */
    public static final String DUMMY_UPLINK = "e2e-uplink";
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern REPLY_HEADER =
            Pattern.compile("OFPST_FLOW reply \\(OF1\\.5\\) \\(xid=0x[0-9a-f]+\\):( flags=\\[more\\])?");
    private static final Pattern COUNTERS = Pattern.compile(" (duration|n_packets|n_bytes|idle_age|hard_age)=[^,]*,");

    /**
     * @param podCidr    the Node's spec.podCIDRs (IPv4)
     * @param internalIp the Node's InternalIP
     * @param mtu        network.mtu of the agent (fixed: the sandbox node has no real uplink)
     * @param nodeRoutes {@code nodeRoutes: ovs} (the overlay to other Nodes) instead of {@code none}; the
     *                   node then gets a stand-in uplink {@value #DUMMY_UPLINK} (a veth whose peer stays in the
     *                   node) holding the InternalIP (/24),
     *                   which the agent moves onto the uplink bridge; no packet leaves the sandbox
     * @param serviceProxy {@code serviceProxy: ovs} (Services from the stand-in's Services and
     *                   EndpointSlices) instead of {@code none}
     * @param dataPlane  {@link DataPlane#OVS} (the default) or {@link DataPlane#IPTABLES}: no OVS,
     *                   {@code podInterface: linux-bridge}, the Service proxy {@code iptables}
     */
    public record Options(String podCidr, String internalIp, int mtu, boolean nodeRoutes, boolean serviceProxy,
                          DataPlane dataPlane) {
        public Options {
            Ipv4Subnet.parse(requireNonNull(podCidr, "podCidr"));
            requireNonNull(internalIp, "internalIp");
            requireNonNull(dataPlane, "dataPlane");
            if (nodeRoutes && dataPlane == DataPlane.IPTABLES) {
                throw new IllegalArgumentException("nodeRoutes: the harness only has the OVS overlay (dataPlane "
                        + dataPlane + ")");
            }
        }

        public Options(String podCidr, String internalIp, int mtu) {
            this(podCidr, internalIp, mtu, false, false, DataPlane.OVS);
        }

        public Options withNodeRoutes() {
            return new Options(podCidr, internalIp, mtu, true, serviceProxy, dataPlane);
        }

        public Options withServiceProxy() {
            return new Options(podCidr, internalIp, mtu, nodeRoutes, true, dataPlane);
        }

        /** The kernel data plane (linux-bridge, iptables) instead of OVS. */
        public Options withIptables() {
            return new Options(podCidr, internalIp, mtu, nodeRoutes, serviceProxy, DataPlane.IPTABLES);
        }

        public static Options defaults() {
            return new Options("10.96.0.0/24", "192.168.96.2", 1450);
        }
    }

    /** Which backends attach pods and proxy Services on the node. */
    public enum DataPlane {
        /** {@code podInterface: ovs}, {@code serviceProxy: ovs}, in an {@link OvsSandbox}. */
        OVS,
        /** {@code podInterface: linux-bridge}, {@code serviceProxy: iptables}, in a {@link NodeNetns}. */
        IPTABLES
    }

    /** The bridge {@code linux-bridge} attaches pods to (its default name). */
    public static final String LINUX_BRIDGE = "trellis0";

    private final TrellisHome home;
    private final Options options;
    /** The OVS node; null on the kernel data plane. */
    private final OvsSandbox sandbox;
    /** The kernel data plane's node; null on OVS. */
    private final NodeNetns plainNode;
    private final String nodeId;
    private final Path dir;
    private final CommandRunner runner = new CommandRunner(Map.of(), Duration.ofSeconds(60));
    private final List<PodNetns> podNamespaces = new CopyOnWriteArrayList<>();
    private final AtomicInteger podCounter = new AtomicInteger(100);
    private final AtomicInteger agentRuns = new AtomicInteger();
    private final CniExecutable cni;
    private ApiStandInProcess api;
    private AgentProcess agent;

    private AgentNode(TrellisHome home, Options options, OvsSandbox sandbox, NodeNetns plainNode) {
        this.home = home;
        this.options = options;
        this.sandbox = sandbox;
        this.plainNode = plainNode;
        this.nodeId = sandbox != null ? sandbox.id() : plainNode.id();
        this.dir = (sandbox != null ? sandbox.runDir() : plainNode.runDir()).resolve("agent");
        this.cni = new CniExecutable(home.cniExecutable(), cniSocket());
    }

    /** Starts the sandbox, the API stand-in and the agent; returns once the agent is ready. */
    public static AgentNode start(TrellisHome home, Options options) {
        home.requireBuilt();
        requireNonNull(options, "options");
        AgentNode node = options.dataPlane() == DataPlane.OVS ? new AgentNode(home, options, OvsSandbox.start(), null)
                : new AgentNode(home, options, null, NodeNetns.start());
        try {
            node.boot();
            return node;
        } catch (RuntimeException | Error e) {
            try {
                node.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void boot() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        api = ApiStandInProcess.start(netns(), NODE_NAME, options.podCidr(), options.internalIp(),
                dir.resolve("kubeconfig"), dir.resolve("apiserver.log"));
        if (options.nodeRoutes()) {
            String ns = netns();
            // A veth pair with both ends in the node (no dummy module needed): the node IP sits on one end.
            runner.run(List.of("ip", "-n", ns, "link", "add", DUMMY_UPLINK, "type", "veth", "peer", "name",
                    DUMMY_UPLINK + "p")).stdoutOrThrow();
            runner.run(List.of("ip", "-n", ns, "addr", "add", options.internalIp() + "/24", "dev", DUMMY_UPLINK))
                    .stdoutOrThrow();
            runner.run(List.of("ip", "-n", ns, "link", "set", DUMMY_UPLINK + "p", "up")).stdoutOrThrow();
            runner.run(List.of("ip", "-n", ns, "link", "set", DUMMY_UPLINK, "up")).stdoutOrThrow();
        }
        writeConfig();
        startAgent();
    }

    private void writeConfig() {
        String yaml = options.dataPlane() == DataPlane.OVS ? ovsConfig() : iptablesConfig();
        try {
            Files.writeString(config(), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The kernel data plane: pods on {@value #LINUX_BRIDGE}; the pod CIDR is the cluster CIDR (one
     * node), so pod traffic within it is not masqueraded.
     */
    private String iptablesConfig() {
        return """
                nodeName:
                  from: fixed
                  value: %s
                backends:
                  ipam: host-local
                  podInterface: linux-bridge
                  nodeRoutes: none
                  serviceProxy: %s
                  policy: none
                network:
                  mtu: %d
                  podCidr: node-spec
                paths:
                  stateDir: %s
                  runDir: %s
                  cniSocket: %s
                settings:
                  linux-bridge:
                    bridge: %s
                    clusterCidr: %s
                """.formatted(NODE_NAME, options.serviceProxy() ? "iptables" : "none", options.mtu(),
                dir.resolve("state"), dir.resolve("run"), cniSocket(), LINUX_BRIDGE, options.podCidr());
    }

    private String ovsConfig() {
        return """
                nodeName:
                  from: fixed
                  value: %s
                backends:
                  ipam: host-local
                  podInterface: ovs
                  nodeRoutes: %s
                  serviceProxy: %s
                  policy: none
                network:
                  mtu: %d
                  podCidr: node-spec
                paths:
                  stateDir: %s
                  runDir: %s
                  cniSocket: %s
                settings:
                  ovs:
                    datapathType: netdev
                    integrationBridge: %s
                    uplinkBridge: br-ex
                    ovsdbSocket: %s
                    runDir: %s
                """.formatted(NODE_NAME, options.nodeRoutes() ? "ovs" : "none", options.serviceProxy() ? "ovs" : "none",
                options.mtu(), dir.resolve("state"), dir.resolve("run"), cniSocket(), BRIDGE,
                sandbox.dbSocket(), sandbox.runDir());
    }

    /**
     * Kernel data plane: removes the Service proxy's chains (and the jumps to them) from the node,
     * with the {@code iptables} backend's own uninstall, run in the node's netns; the bridge, the
     * pods and the masquerade stay. Stop the agent first: a running one would write them back.
     */
    public void removeServiceChains() {
        if (options.dataPlane() != DataPlane.IPTABLES) {
            throw new IllegalStateException("removeServiceChains: node " + nodeId + " runs " + options.dataPlane());
        }
        if (agent != null && agent.isAlive()) {
            throw new IllegalStateException("the agent (pid " + agent.pid() + ") is still running");
        }
        IptablesServiceChains.remove(netns(), dir.resolve("state"), dir.resolve("run"));
    }

    // ------------------------------------------------------------------ the agent

    /** Starts an agent process (the previous one must have ended) and waits until it is ready. */
    public AgentProcess startAgent() {
        return startAgent(READY_TIMEOUT);
    }

    /**
     * As {@link #startAgent()}, waiting up to {@code readyTimeout}: the agent is ready once its first
     * Service sync is done, which can exceed the default with thousands of Services on the iptables proxy.
     */
    public AgentProcess startAgent(Duration readyTimeout) {
        requireNonNull(readyTimeout, "readyTimeout");
        if (agent != null && agent.isAlive()) {
            throw new IllegalStateException("the agent (pid " + agent.pid() + ") is still running");
        }
        Path log = dir.resolve("agent-" + agentRuns.incrementAndGet() + ".log");
        long start = System.nanoTime();
        agent = AgentProcess.start(home, netns(), config(), api.kubeconfig(), Duration.ofSeconds(60), log,
                AgentProcess.DEFAULT_JAVA_OPTS + agentJavaOptions);
        agent.awaitReady(readyTimeout);
        LOG.info("agent ready (pid {}) in netns {} {} ms after its start", agent.pid(), netns(),
                (System.nanoTime() - start) / 1_000_000);
        return agent;
    }

    public AgentProcess agent() {
        return agent;
    }

    private String agentJavaOptions = "";

    /**
     * JVM options added to the agent's from its next start on (e.g. a logger's level: a benchmark
     * reading the Service proxy's debug lines).
     */
    public void addAgentJavaOptions(String javaOptions) {
        agentJavaOptions = agentJavaOptions + " " + requireNonNull(javaOptions, "javaOptions");
    }

    /** The node's Kubernetes API stand-in: stop/start it, add Nodes and Pods. */
    public ApiStandInProcess api() {
        return api;
    }

    // ------------------------------------------------------------------ pods

    /** Creates a pod namespace ({@code <sandbox>p<N>}) with {@code lo} up, as a runtime does before ADD. */
    public PodNetns newPodNetns() {
        PodNetns netns = new PodNetns(nodeId + "p" + podCounter.getAndIncrement());
        runner.run(List.of("ip", "netns", "add", netns.name())).stdoutOrThrow();
        podNamespaces.add(netns);
        runner.run(List.of("ip", "-n", netns.name(), "link", "set", "lo", "up")).stdoutOrThrow();
        return netns;
    }

    /** Deletes a pod namespace, as a runtime does after the sandbox stops. */
    public void deletePodNetns(PodNetns netns) {
        runner.run(List.of("ip", "netns", "del", netns.name())).stdoutOrThrow();
        podNamespaces.remove(netns);
    }

    /**
     * A new pod namespace attached with CNI ADD; fails with the plugin's answer unless ADD succeeded.
     * The Pod object exists in the API stand-in first (bound to this node), as it does when a kubelet
     * runs ADD: the agent's pod GC releases attachments whose pod is gone.
     */
    public AttachedPod addPod(String podNamespace, String podName) {
        api.createPod(podNamespace, podName);
        PodNetns netns = newPodNetns();
        String containerId = containerId(netns);
        CniExecutable.Run run = cni.add(containerId, netns.path(), podNamespace, podName);
        if (!run.succeeded()) {
            throw new IllegalStateException("CNI ADD " + podNamespace + "/" + podName + " failed: " + run
                    + "\nagent log:\n" + Logs.tail(agent.log(), 30));
        }
        return AttachedPod.fromResult(netns, containerId, podNamespace, podName, run.stdout());
    }

    /** The container id the harness gives the pod in {@code netns}. */
    public String containerId(PodNetns netns) {
        return "c-" + netns.name();
    }

    public CniExecutable.Run deletePod(AttachedPod pod) {
        return cni.del(pod.containerId(), pod.netns().path(), pod.podNamespace(), pod.podName());
    }

    public CniExecutable cni() {
        return cni;
    }

    // ------------------------------------------------------------------ OVS and the node

    /** The OVS sandbox; throws on the kernel data plane. */
    public OvsSandbox sandbox() {
        if (sandbox == null) {
            throw new IllegalStateException("node " + nodeId + " runs the " + options.dataPlane() + " data plane: no OVS");
        }
        return sandbox;
    }

    public String netns() {
        return nodeId;
    }

    public Options options() {
        return options;
    }

    public Path cniSocket() {
        return dir.resolve("cni.sock");
    }

    public Path config() {
        return dir.resolve("trellis-agent.yaml");
    }

    /** The gateway address the agent gives the node: the pod CIDR's first address. */
    public String gatewayIp() {
        return OvsNodeSetup.gatewayIp(Ipv4Subnet.parse(options.podCidr())).getHostAddress();
    }

    /** The OpenFlow port number of an interface on the bridge. */
    public int ofport(String iface) {
        return Integer.parseInt(sandbox().vsctl("get", "interface", iface, "ofport").strip());
    }

    public List<String> bridgePorts() {
        return sandbox().vsctl("list-ports", BRIDGE).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** Whether a link exists in a namespace (the node's: {@link #netns()}). */
    public boolean linkExists(String netns, String name) {
        return runner.run(List.of("ip", "-n", netns, "link", "show", "dev", name)).succeeded();
    }

    /** Runs argv inside a namespace (the node's or a pod's). */
    public CommandResult exec(String netns, List<String> argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(argv);
        return runner.run(full);
    }

    /** Every flow of the bridge as {@code ovs-ofctl --no-names dump-flows} prints it, counters removed. */
    public List<String> flowTable() {
        String dump = sandbox().ofctlWithOptions(List.of("-O", "OpenFlow15", "--no-names"), BRIDGE, "dump-flows");
        // A large table arrives in several multipart replies, each printed with its own header line.
        return dump.lines().map(String::strip).filter(l -> !l.isEmpty() && !REPLY_HEADER.matcher(l).matches())
                .map(l -> COUNTERS.matcher(l).replaceAll("")).toList();
    }

    /** The node as the pipeline sees it, read from the switch and the kernel: gateway port, IP and MAC. */
    public NodeNetwork nodeNetwork() {
        String gatewayMac = exec(netns(), List.of("cat", "/sys/class/net/" + OvsNodeSetup.GATEWAY_PORT + "/address"))
                .stdoutOrThrow().strip();
        return NodeNetwork.of(ofport(OvsNodeSetup.GATEWAY_PORT), gatewayIp(), gatewayMac, options.podCidr());
    }

    /** A pod as the pipeline sees it: its port's ofport, the IP and MAC from its ADD result. */
    public LocalPod localPod(AttachedPod pod) {
        return LocalPod.of(pod.pod(), ofport(pod.hostInterface()), pod.ip(), pod.mac());
    }

    /**
     * The flow table a fresh install of this node with these pods gives: the pipeline's flows for
     * the node and each pod (what {@code PipelineInstaller.install} writes in one bundle; the
     * agent's pipeline, with the Service stage), in {@link #flowTable()}'s text form.
     */
    public List<String> expectedFlowTable(Collection<AttachedPod> pods) {
        NodeNetwork node = nodeNetwork();
        List<LocalPod> local = pods.stream().map(this::localPod).toList();
        return OvsPodInterfaceDriver.pipelineFlows().all(node, local).stream().map(FlowLine::of).sorted().map(FlowLine::toString)
                .toList();
    }

    // ------------------------------------------------------------------ cleanup

    /** Stops the agent and the API stand-in, removes the pod namespaces and the sandbox. */
    @Override
    public void close() {
        List<RuntimeException> problems = new ArrayList<>();
        if (agent != null) {
            try {
                agent.close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        if (api != null) {
            api.close();
        }
        for (PodNetns netns : podNamespaces) {
            runner.run(List.of("ip", "netns", "del", netns.name()));
        }
        try {
            if (sandbox != null) {
                sandbox.close();
            } else {
                plainNode.close();
            }
        } catch (RuntimeException e) {
            problems.add(e);
        }
        if (!problems.isEmpty()) {
            RuntimeException first = problems.get(0);
            problems.subList(1, problems.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
