package io.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * CNI chaining with the reference {@code portmap} plugin (Debian containernetworking-plugins) on a
 * node with the real agent: the real {@code trellis-cni} attaches the pod, then portmap runs with
 * our result as prevResult and {@code runtimeConfig.portMappings}, as a runtime runs a network
 * configuration list; a connection to the node's host port 8080 reaches a server on port 80 in the
 * pod; DEL runs in reverse order and leaves neither portmap's rules nor the pod's port behind.
 *
 * <p>portmap edits the iptables of the namespace it runs in, so it runs inside the node's namespace
 * ({@code ip netns exec NODE /usr/lib/cni/portmap}), where the agent and the gateway port live.
 * Needs root, OVS, iptables and containernetworking-plugins; fails when one is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortmapChainingIT {
    private static final Path PORTMAP = Path.of("/usr/lib/cni/portmap");
    private static final int HOST_PORT = 8080;
    private static final int CONTAINER_PORT = 80;
    private static final int TIMEOUT_MS = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private AgentNode node;

    @TempDir
    Path dir;

    @BeforeAll
    void startNode() {
        assertThat(PORTMAP).as("portmap from the Debian package containernetworking-plugins").isExecutable();
        node = AgentNode.start(TrellisHome.locate(), AgentNode.Options.defaults());
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void hostPortReachesThePodThroughPortmapChainedAfterTrellisCniAndDelRemovesBoth() throws Exception {
        AttachedPod pod = node.addPod("web", "pm");
        CniExecutable portmap = portmapInNodeNamespace();
        // The gateway address lives on the node's gw0 (an address of the node), so portmap's DNAT
        // rules catch a connection to it: its CNI-HOSTPORT-DNAT chain is jumped to from OUTPUT (and
        // PREROUTING) for "--dst-type LOCAL". The node's own connection leaves with the gateway
        // address as its source (chosen by the local route before the DNAT rewrites the
        // destination), so after the DNAT it is ordinary node -> pod traffic through gw0 and br-int,
        // and the pod's answer to the gateway is un-NATed on the way back.
        String nodeAddress = node.gatewayIp();

        try (PodServer server = PodServer.start(switcher, open(pod.netns().name()), CONTAINER_PORT, "served by " + pod.pod())) {
            // Without portmap nothing listens on the host port: the path below exists only through its rules.
            assertThatThrownBy(() -> connectFromNode(nodeAddress, HOST_PORT)).as("host port before portmap ADD")
                    .hasRootCauseInstanceOf(ConnectException.class);

            CniExecutable.Run added = portmap.run(portmapEnv("ADD", pod), portmapConfig(pod.result()));
            assertThat(added.succeeded()).as("portmap ADD: %s", added).isTrue();
            String finalResult = added.stdout();
            assertThat(JSON.readTree(finalResult).get("ips")).as("portmap passes our ips on")
                    .isEqualTo(JSON.readTree(pod.result()).get("ips"));
            assertThat(natTable()).as("portmap's DNAT found the pod address in our result")
                    .contains("--dport " + HOST_PORT + " -j DNAT --to-destination " + pod.ip() + ":" + CONTAINER_PORT)
                    .contains(pod.containerId());
            assertThat(hostportDnatRules()).as("the jump from portmap's shared DNAT chain to the pod's chain")
                    .singleElement().asString().contains(pod.containerId()).contains("-j CNI-DN-");

            assertThat(connectFromNode(nodeAddress, HOST_PORT)).isEqualTo("served by web/pm");
            assertThat(server.peers()).as("the pod saw the node's connection from the gateway address")
                    .containsExactly(nodeAddress);

            // DEL in reverse order, each with the list's final result as prevResult (SPEC 1.0.0 section 3).
            CniExecutable.Run portmapDel = portmap.run(portmapEnv("DEL", pod),
                    withPrevResult(portmapConfigWithoutResult(), finalResult));
            assertThat(portmapDel.succeeded()).as("portmap DEL: %s", portmapDel).isTrue();
            CniExecutable.Run trellisDel = node.cni().run(trellisEnv("DEL", pod),
                    withPrevResult((ObjectNode) JSON.readTree(node.cni().netconf("1.0.0")), finalResult));
            assertThat(trellisDel.succeeded()).as("trellis-cni DEL: %s", trellisDel).isTrue();

            String nat = natTable();
            assertThat(nat).as("no portmap rule or chain of the pod remains")
                    .doesNotContain(pod.ip())
                    .doesNotContain(pod.containerId())
                    .doesNotContain("CNI-DN-");
            // The masquerade rules in CNI-HOSTPORT-MASQ/SETMARK are node-wide (shared by every
            // pod, never removed by portmap); what was the pod's is the jump to its CNI-DN- chain.
            assertThat(hostportDnatRules()).as("jumps left in portmap's shared DNAT chain").isEmpty();
            assertThat(node.bridgePorts()).doesNotContain(pod.hostInterface());
            assertThat(node.linkExists(node.netns(), pod.hostInterface())).as("host veth").isFalse();
            assertThat(node.linkExists(pod.netns().name(), "eth0")).as("pod eth0").isFalse();
            assertThatThrownBy(() -> connectFromNode(nodeAddress, HOST_PORT)).as("host port after DEL")
                    .hasRootCauseInstanceOf(ConnectException.class);
            assertThat(server.peers()).as("connections the pod accepted").hasSize(1);
        }
    }

    // ------------------------------------------------------------------ the runtime's side

    /**
     * The timed, clean-environment runner of {@link CniExecutable} pointed at a two-line launcher
     * that enters the node's namespace first: portmap installs its rules where it runs.
     */
    private CniExecutable portmapInNodeNamespace() throws IOException {
        Path launcher = dir.resolve("portmap-in-node");
        Files.writeString(launcher, "#!/bin/sh\nexec ip netns exec " + node.netns() + " " + PORTMAP + "\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return new CniExecutable(launcher, node.cniSocket());
    }

    /**
     * portmap's entry in the list ({@code trellis-cni}, then this), as the runtime writes it on
     * stdin: the list's name and cniVersion, runtimeConfig for the capability it declares.
     */
    private ObjectNode portmapConfigWithoutResult() {
        ObjectNode conf = JSON.createObjectNode();
        conf.put("cniVersion", "1.0.0");
        conf.put("name", "trellis"); // the list's name: trellis-cni's netconf uses the same
        conf.put("type", "portmap");
        conf.putObject("capabilities").put("portMappings", true);
        conf.put("snat", true);
        conf.putObject("runtimeConfig").putArray("portMappings").addObject()
                .put("hostPort", HOST_PORT).put("containerPort", CONTAINER_PORT).put("protocol", "tcp");
        return conf;
    }

    private String portmapConfig(String prevResult) throws IOException {
        return withPrevResult(portmapConfigWithoutResult(), prevResult);
    }

    private static String withPrevResult(ObjectNode conf, String prevResult) throws IOException {
        conf.set("prevResult", JSON.readTree(prevResult));
        return JSON.writeValueAsString(conf);
    }

    private Map<String, String> portmapEnv(String command, AttachedPod pod) {
        Map<String, String> env = trellisEnv(command, pod);
        env.put("CNI_PATH", "/usr/lib/cni");
        return env;
    }

    /** The variables {@link AgentNode#addPod} gave trellis-cni for this pod. */
    private Map<String, String> trellisEnv(String command, AttachedPod pod) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", pod.containerId());
        env.put("CNI_NETNS", pod.netns().path().toString());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + pod.podNamespace() + ";K8S_POD_NAME="
                + pod.podName() + ";K8S_POD_INFRA_CONTAINER_ID=" + pod.containerId());
        env.put("CNI_PATH", "/opt/cni/bin");
        return env;
    }

    private List<String> hostportDnatRules() {
        return natTable().lines().filter(l -> l.startsWith("-A CNI-HOSTPORT-DNAT ")).toList();
    }

    private String natTable() {
        return node.exec(node.netns(), List.of("iptables-save", "-t", "nat")).stdoutOrThrow();
    }

    // ------------------------------------------------------------------ traffic

    private NetNamespace open(String name) {
        return NetNamespace.named(sys, name);
    }

    /** Connects from the node's namespace and returns the first line the other end sends. */
    private String connectFromNode(String ip, int port) throws IOException {
        // java.net.Socket creates its descriptor lazily, at connect(): so connect on the switched thread.
        try (NetNamespace nodeNs = open(node.netns());
             Socket socket = switcher.call(nodeNs, () -> {
                 Socket s = new Socket();
                 s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), TIMEOUT_MS);
                 return s;
             })) {
            socket.setSoTimeout(TIMEOUT_MS);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    /**
     * A TCP server on 0.0.0.0:port in a pod's namespace (a socket stays in the namespace it was
     * created in): answers every connection with one line and records the peer's address.
     */
    private static final class PodServer implements AutoCloseable {
        private final ServerSocket listening;
        private final String reply;
        private final List<String> peers = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        private PodServer(ServerSocket listening, String reply) {
            this.listening = listening;
            this.reply = reply;
            this.acceptor = new Thread(this::serve, "pod-server-" + listening.getLocalPort());
            acceptor.setDaemon(true);
        }

        static PodServer start(NamespaceSwitcher switcher, NetNamespace netns, int port, String reply) {
            try (netns) {
                ServerSocket listening = switcher.call(netns, () -> {
                    ServerSocket s = new ServerSocket();
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
                    return s;
                });
                PodServer server = new PodServer(listening, reply);
                server.acceptor.start();
                return server;
            }
        }

        private void serve() {
            while (!listening.isClosed()) {
                try (Socket s = listening.accept()) {
                    peers.add(s.getInetAddress().getHostAddress());
                    new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println(reply);
                } catch (IOException e) {
                    if (!listening.isClosed()) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        List<String> peers() {
            return List.copyOf(peers);
        }

        @Override
        public void close() throws Exception {
            listening.close();
            acceptor.join(TIMEOUT_MS);
        }
    }
}
