package io.trellis.cni.plugin;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.trellis.cni.json.JsonWriter;
import io.trellis.cni.model.CniInterface;
import io.trellis.cni.model.CniIp;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.model.CniRoute;
import io.trellis.cni.model.IpLiteral;
import io.trellis.cni.protocol.AgentProtocol;
import io.trellis.cni.protocol.CniReply;
import io.trellis.spi.model.IpAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training run for the executable's class-data-sharing archive ({@code bin/trellis-cni
 * --prepare}): runs every command and version through the real Unix socket client against a
 * canned in-process responder, so the archive holds the classes a real invocation loads. Prints
 * nothing on success.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("trellis-cni-cds");
        Path socket = dir.resolve("agent.sock");
        CniResult result = new CniResult(
                List.of(CniInterface.named("veth0").withMac("02:00:00:00:00:01"),
                        CniInterface.named("eth0").withMac("02:00:00:00:00:02").withMtu(1450).withSandbox("/x")),
                List.of(CniIp.on(1, new IpAddress(IpLiteral.parse("10.0.0.5"), 24,
                        Optional.of(IpLiteral.parse("10.0.0.1"))))),
                List.of(CniRoute.to(IpLiteral.parse("0.0.0.0"), 0).via(IpLiteral.parse("10.0.0.1"))),
                Optional.empty());
        String addReply = AgentProtocol.encodeReply(CniReply.success(result));
        String okReply = AgentProtocol.encodeReply(CniReply.success());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread responder = new Thread(() -> respond(server, addReply, okReply), "cds-responder");
            responder.setDaemon(true);
            responder.start();
            // The executable's own entry path, including System.getenv() (its classes load lazily).
            TrellisCni.execute(System.getenv(), new ByteArrayInputStream("{\"cniVersion\":\"1.0.0\"}".getBytes(UTF_8)));
            new PrintStream(OutputStream.nullOutputStream(), false, UTF_8).print("x");
            CniPlugin plugin = new CniPlugin(AgentConnector.UNIX_SOCKET);
            String prev = JsonWriter.write(Map.of("cniVersion", "1.0.0", "interfaces", List.of(Map.of("name", "x"))));
            for (String version : List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")) {
                for (String command : List.of("ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC")) {
                    String config = "{\"cniVersion\":\"" + version + "\",\"name\":\"trellis\",\"type\":\"trellis-cni\","
                            + "\"agentSocket\":\"" + socket + "\",\"cni.dev/valid-attachments\":[],\"prevResult\":"
                            + prev.replace("1.0.0", version) + "}";
                    plugin.run(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "c1", "CNI_NETNS", "/x",
                            "CNI_IFNAME", "eth0", "CNI_ARGS", "K8S_POD_NAMESPACE=x;K8S_POD_NAME=a"), config);
                }
                plugin.run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_NETNS", "/x", "CNI_IFNAME",
                        "eth0"), "{\"cniVersion\":\"" + version + "\",\"name\":\"t\",\"agentSocket\":\"" + socket + "\"}");
            }
            plugin.run(Map.of("CNI_COMMAND", "ADD"), "{not json");
            plugin.run(Map.of("CNI_COMMAND", "ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"t\"}");
            plugin.run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_NETNS", "/x", "CNI_IFNAME", "eth0"),
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"agentSocket\":\"" + dir.resolve("absent") + "\"}");
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static void respond(ServerSocketChannel server, String addReply, String okReply) {
        while (true) {
            try (SocketChannel c = server.accept()) {
                String request = AgentProtocol.readMessage(c);
                AgentProtocol.writeMessage(c, request.contains("\"command\":\"ADD\"") ? addReply : okReply);
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }
}
