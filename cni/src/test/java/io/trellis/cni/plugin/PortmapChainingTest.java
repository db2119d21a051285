package io.trellis.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.cni.model.CniInterface;
import io.trellis.cni.model.CniIp;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.model.CniRoute;
import io.trellis.cni.model.IpLiteral;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.server.CniHandler;
import io.trellis.cni.server.CniServer;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniVersion;
import io.trellis.cni.testing.CniExecutable;
import io.trellis.cni.testing.CniExecutable.Invocation;
import io.trellis.cni.testing.FakeHandler;
import io.trellis.cni.testing.Host;
import io.trellis.cni.testing.Json;
import io.trellis.spi.model.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaining with the reference {@code portmap} plugin (Debian containernetworking-plugins, in
 * /usr/lib/cni), run the way a runtime runs a network configuration list: trellis-cni first, then
 * portmap with our result as prevResult and runtimeConfig.portMappings; DEL in reverse order. Both
 * run inside a network namespace standing in for the node, so portmap's iptables rules stay there.
 * Needs root, iproute2, iptables and containernetworking-plugins; fails when one is missing.
 */
@SuppressWarnings("try") // servers held open by try-with-resources only for their lifetime
class PortmapChainingTest {
    static final Path PORTMAP = Path.of("/usr/lib/cni/portmap");

    @TempDir
    Path dir;
    String hostNs;
    String podNs;

    @BeforeEach
    void namespaces() {
        Host.requireRoot("portmap installs iptables rules in a network namespace");
        assertThat(PORTMAP).as("portmap from the Debian package containernetworking-plugins").isExecutable();
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        hostNs = "gcni-host-" + id;
        podNs = "gcni-pod-" + id;
        Host.run("ip", "netns", "add", hostNs);
        Host.run("ip", "netns", "add", podNs);
        Host.run("ip", "-n", hostNs, "link", "set", "lo", "up");
        Host.run("ip", "-n", podNs, "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespaces() {
        Host.tryRun("ip", "netns", "del", podNs);
        Host.tryRun("ip", "netns", "del", hostNs);
    }

    /** The network configuration list a runtime would hold: trellis-cni, then portmap. */
    String conflist(String version) {
        return "{\"cniVersion\": \"" + version + "\", \"name\": \"trellis\", \"plugins\": ["
                + "{\"type\": \"trellis-cni\", \"agentSocket\": \"" + dir.resolve("cni.sock") + "\"},"
                + "{\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}, \"snat\": true}]}";
    }

    /**
     * What the runtime writes on a plugin's stdin (SPEC 1.0.0 section 3, "Deriving execution
     * configuration"): the plugin's object with the list's name and cniVersion, runtimeConfig for
     * the capabilities it declares, and prevResult.
     */
    static String pluginConfig(String conflist, int index, String prevResult) {
        Map<String, Object> list = Json.object(conflist);
        @SuppressWarnings("unchecked")
        Map<String, Object> plugin = new LinkedHashMap<>(((List<Map<String, Object>>) list.get("plugins")).get(index));
        plugin.put("cniVersion", list.get("cniVersion"));
        plugin.put("name", list.get("name"));
        if (plugin.containsKey("capabilities")) {
            plugin.put("runtimeConfig", Map.of("portMappings", List.of(
                    Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp"))));
        }
        if (prevResult != null) {
            plugin.put("prevResult", Json.object(prevResult));
        }
        return Json.write(plugin);
    }

    Map<String, String> env(String command) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "c0ffee01");
        env.put("CNI_NETNS", "/var/run/netns/" + podNs);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/usr/lib/cni");
        env.put("CNI_ARGS", "K8S_POD_NAMESPACE=x;K8S_POD_NAME=a");
        return env;
    }

    List<String> versionsBothSpeak() {
        Invocation v = CniExecutable.plugin(PORTMAP, null).run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
        assertThat(v.exitCode()).as("%s", v).isZero();
        @SuppressWarnings("unchecked")
        List<String> theirs = (List<String>) Json.object(v.stdout()).get("supportedVersions");
        List<String> both = new ArrayList<>(CniVersion.supportedTexts());
        both.retainAll(theirs);
        // Debian 12's plugins 1.1.1 speak up to 1.0.0; a newer portmap would add 1.1.0 here.
        assertThat(both).contains("0.3.0", "0.3.1", "0.4.0", "1.0.0");
        return both;
    }

    static CniResult podResult(String netnsPath) {
        return new CniResult(
                List.of(CniInterface.named("gcni-veth0").withMac("fe:ff:ff:ff:ff:ff"),
                        CniInterface.named("eth0").withMac("02:42:0a:0a:01:05").withSandbox(netnsPath)),
                List.of(CniIp.on(1, new IpAddress(IpLiteral.parse("10.10.1.5"), 24, Optional.of(IpLiteral.parse("10.10.1.1"))))),
                List.of(CniRoute.to(IpLiteral.parse("0.0.0.0"), 0).via(IpLiteral.parse("10.10.1.1"))),
                Optional.empty());
    }

    @Test
    void portmapAcceptsOurResultInEveryVersionItSpeaksAndDeletesItsRules() throws IOException {
        FakeHandler handler = new FakeHandler(podResult("/var/run/netns/" + podNs));
        CniExecutable trellis = CniExecutable.trellisCni(hostNs);
        CniExecutable portmap = CniExecutable.plugin(PORTMAP, hostNs);
        try (CniServer ignored = CniServer.start(CniServer.Config.at(dir.resolve("cni.sock")), handler)) {
            for (String version : versionsBothSpeak()) {
                String list = conflist(version);
                Invocation ours = trellis.run(env("ADD"), pluginConfig(list, 0, null));
                assertThat(ours.exitCode()).as("trellis-cni ADD %s: %s", version, ours).isZero();

                Invocation pm = portmap.run(env("ADD"), pluginConfig(list, 1, ours.stdout()));
                assertThat(pm.exitCode()).as("portmap ADD %s: %s", version, pm).isZero();
                Map<String, Object> ourResult = Json.object(ours.stdout());
                Map<String, Object> final_ = Json.object(pm.stdout());
                assertThat(final_.get("cniVersion")).isEqualTo(version);
                assertThat(final_.get("interfaces")).as("portmap passes our interfaces on").isEqualTo(ourResult.get("interfaces"));
                assertThat(final_.get("ips")).as("portmap passes our ips on").isEqualTo(ourResult.get("ips"));
                assertThat(final_.get("routes")).isEqualTo(ourResult.get("routes"));
                String nat = Host.run("ip", "netns", "exec", hostNs, "iptables", "-t", "nat", "-S");
                assertThat(nat).as("portmap found the pod address in our result")
                        .contains("--dport 8080 -j DNAT --to-destination 10.10.1.5:80")
                        .contains("id: \\\"c0ffee01\\\"");

                // DEL in reverse order, each with the list's final result as prevResult.
                Invocation pmDel = portmap.run(env("DEL"), pluginConfig(list, 1, pm.stdout()));
                assertThat(pmDel.exitCode()).as("portmap DEL %s: %s", version, pmDel).isZero();
                Invocation ourDel = trellis.run(env("DEL"), pluginConfig(list, 0, pm.stdout()));
                assertThat(ourDel.exitCode()).as("trellis-cni DEL %s: %s", version, ourDel).isZero();
                assertThat(handler.last().command()).isEqualTo(CniCommand.DEL);
                assertThat(Host.run("ip", "netns", "exec", hostNs, "iptables", "-t", "nat", "-S"))
                        .doesNotContain("10.10.1.5");
            }
        }
    }

    /**
     * The whole path, with a test handler that wires the pod the way the agent will (a veth pair,
     * addresses, default route; here with ip commands): after the chained ADD, a TCP connection to
     * the node's address on host port 8080 reaches a server on port 80 in the pod.
     */
    @Test
    void hostPortReachesThePodThroughPortmapsRules() throws Exception {
        // The node's own address (on lo: the dummy driver may be missing); connections to it are LOCAL for portmap.
        Host.run("ip", "-n", hostNs, "addr", "add", "192.0.2.1/32", "dev", "lo");
        VethHandler handler = new VethHandler(hostNs, podNs);
        String list = conflist("1.0.0");
        Process server = null;
        try (CniServer ignored = CniServer.start(CniServer.Config.at(dir.resolve("cni.sock")), handler)) {
            Invocation ours = CniExecutable.trellisCni(hostNs).run(env("ADD"), pluginConfig(list, 0, null));
            assertThat(ours.exitCode()).as("%s", ours).isZero();
            Invocation pm = CniExecutable.plugin(PORTMAP, hostNs).run(env("ADD"), pluginConfig(list, 1, ours.stdout()));
            assertThat(pm.exitCode()).as("%s", pm).isZero();

            Path script = dir.resolve("serve.py");
            Files.writeString(script, "import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                    + "s.bind(('0.0.0.0', 80))\ns.listen()\nprint('listening', flush=True)\nc, _ = s.accept()\n"
                    + "c.sendall(b'x/a\\n')\nc.close()\n");
            server = new ProcessBuilder("ip", "netns", "exec", podNs, "python3", script.toString())
                    .redirectErrorStream(true).start();
            assertThat(new String(server.getInputStream().readNBytes(10))).isEqualTo("listening\n");

            Host.Result reply = Host.tryRun("ip", "netns", "exec", hostNs, "python3", "-c",
                    "import socket; s = socket.create_connection(('192.0.2.1', 8080), timeout=5); print(s.recv(64).decode(), end='')");
            assertThat(reply.exitCode()).as("connect to 192.0.2.1:8080 from the node: %s", reply.output()).isZero();
            assertThat(reply.output()).isEqualTo("x/a\n");
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Wires the pod as the agent will, with ip commands (test only). */
    static final class VethHandler implements CniHandler {
        private final String hostNs;
        private final String podNs;

        VethHandler(String hostNs, String podNs) {
            this.hostNs = hostNs;
            this.podNs = podNs;
        }

        @Override
        public CniResult add(CniRequest r) {
            Host.run("ip", "-n", hostNs, "link", "add", "gcni-veth0", "type", "veth", "peer", "name", r.ifName().orElseThrow(),
                    "netns", podNs);
            Host.run("ip", "-n", hostNs, "addr", "add", "10.10.1.1/24", "dev", "gcni-veth0");
            Host.run("ip", "-n", hostNs, "link", "set", "gcni-veth0", "up");
            Host.run("ip", "-n", podNs, "link", "set", "eth0", "address", "02:42:0a:0a:01:05");
            Host.run("ip", "-n", podNs, "addr", "add", "10.10.1.5/24", "dev", "eth0");
            Host.run("ip", "-n", podNs, "link", "set", "eth0", "up");
            Host.run("ip", "-n", podNs, "route", "add", "default", "via", "10.10.1.1");
            return podResult(r.netns().orElseThrow());
        }

        @Override
        public void del(CniRequest r) {
            Host.tryRun("ip", "-n", hostNs, "link", "del", "gcni-veth0");
        }

        @Override
        public void check(CniRequest r) {
        }

        @Override
        public void gc(CniRequest r) {
        }
    }
}
