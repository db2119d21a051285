package io.trellis.lab.kubelet;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls the CNI plugin executable the way a container runtime does: in the node's network namespace, with the
 * CNI_* variables (CNI_ARGS carrying the pod's namespace and name, as the kubelet's runtime passes them) and
 * the network configuration on stdin; the result or the spec error JSON on stdout.
 */
public final class CniInvoker {
    public static final String CNI_VERSION = "1.0.0";
    public static final String IF_NAME = "eth0";

    private final Path executable;
    private final String nodeNetns;
    private final Path agentSocket;

    public CniInvoker(Path executable, String nodeNetns, Path agentSocket) {
        this.executable = Objects.requireNonNull(executable, "executable");
        this.nodeNetns = Objects.requireNonNull(nodeNetns, "nodeNetns");
        this.agentSocket = Objects.requireNonNull(agentSocket, "agentSocket");
    }

    /** The network configuration list entry the runtime would read from /etc/cni/net.d. */
    public String networkConfig(String cniVersion) {
        ObjectNode config = Serialization.jsonMapper().createObjectNode();
        config.put("cniVersion", cniVersion).put("name", "trellis").put("type", "trellis-cni")
                .put("agentSocket", agentSocket.toString());
        return config.toString();
    }

    /** ADD: the pod's IPv4 address from the result. */
    public String add(String containerId, String podNetnsPath, String namespace, String name, String uid) {
        JsonNode result = invoke("ADD", CNI_VERSION, containerId, podNetnsPath, namespace, name, uid);
        for (JsonNode ip : result.path("ips")) {
            String address = ip.path("address").asString("");
            if (address.contains(".")) {
                return address.substring(0, address.indexOf('/'));
            }
        }
        throw new CniFailure("ADD", "the result has no IPv4 address: " + result);
    }

    public void del(String containerId, String podNetnsPath, String namespace, String name, String uid) {
        invoke("DEL", CNI_VERSION, containerId, podNetnsPath, namespace, name, uid);
    }

    /** STATUS (cniVersion 1.1.0): whether the plugin says it is ready to ADD. */
    public boolean ready() {
        try {
            invoke("STATUS", "1.1.0", null, null, null, null, null);
            return true;
        } catch (CniFailure e) {
            return false;
        }
    }

    private JsonNode invoke(String command, String cniVersion, String containerId, String netns, String namespace,
                            String name, String uid) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", nodeNetns, executable.toString()));
        ProcessBuilder builder = new ProcessBuilder(argv);
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        String javaHome = env.get("JAVA_HOME");
        env.clear();
        env.put("PATH", path);
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome);
        }
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", executable.getParent().toString());
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
            env.put("CNI_IFNAME", IF_NAME);
            env.put("CNI_NETNS", netns);
            env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name
                    + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId + ";K8S_POD_UID=" + uid);
        }
        try {
            Process process = builder.start();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
            try (OutputStream in = process.getOutputStream()) {
                in.write(networkConfig(cniVersion).getBytes(StandardCharsets.UTF_8));
            }
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CniFailure(command, "timed out");
            }
            if (process.exitValue() != 0) {
                throw new CniFailure(command, "exit " + process.exitValue() + ": " + describeError(stdout)
                        + stderrSuffix(stderr.join()));
            }
            return stdout.isBlank() ? Serialization.jsonMapper().createObjectNode()
                    : Serialization.jsonMapper().readTree(stdout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + executable + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniFailure(command, "interrupted");
        }
    }

    private static String describeError(String stdout) {
        try {
            JsonNode error = Serialization.jsonMapper().readTree(stdout);
            return "code " + error.path("code").asInt() + ": " + error.path("msg").asString("")
                    + (error.has("details") ? " (" + error.path("details").asString("") + ")" : "");
        } catch (RuntimeException e) {
            return stdout.strip();
        }
    }

    private static String stderrSuffix(String stderr) {
        return stderr.isBlank() ? "" : " [stderr: " + stderr.strip() + "]";
    }

    /** The plugin failed; the message carries its error code and text. */
    public static final class CniFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CniFailure(String command, String message) {
            super("CNI " + command + ": " + message);
        }
    }
}
