package io.trellis.lab;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where one lab keeps its files. Everything a lab creates on disk is under {@link #root()}, so removing
 * that directory removes its state.
 *
 * @param root the lab directory: {@code $TRELLIS_LAB_DIR}, else /tmp/trellis-lab
 */
public record LabPaths(Path root) {
    public static final Path DEFAULT_ROOT = Path.of("/tmp/trellis-lab");
    public static final String ENV = "TRELLIS_LAB_DIR";

    public LabPaths {
        Objects.requireNonNull(root, "root");
        root = root.toAbsolutePath().normalize();
    }

    public static LabPaths fromEnvironment(Map<String, String> env) {
        String dir = env.get(ENV);
        return new LabPaths(dir == null || dir.isBlank() ? DEFAULT_ROOT : Path.of(dir));
    }

    public Path stateFile() {
        return root.resolve("lab.json");
    }

    public Path kubeconfig() {
        return root.resolve("kubeconfig");
    }

    public Path apiServerLog() {
        return root.resolve("apiserver.log");
    }

    public Path daemonLog() {
        return root.resolve("kubelet.log");
    }

    /** The central controller's configuration (trellis-controller.yaml), written by {@code up}. */
    public Path controllerConfig() {
        return root.resolve("trellis-controller.yaml");
    }

    public Path controllerLog() {
        return root.resolve("controller.log");
    }

    /** The lab daemon records the pods it runs here (one JSON file per pod sandbox). */
    public Path sandboxDir() {
        return root.resolve("pods");
    }

    public Path nodeDir(String nodeName) {
        return root.resolve("nodes").resolve(nodeName);
    }

    public Path ovsDir(String nodeName) {
        return nodeDir(nodeName).resolve("ovs");
    }

    public Path agentConfig(String nodeName) {
        return nodeDir(nodeName).resolve("trellis-agent.yaml");
    }

    public Path agentLog(String nodeName) {
        return nodeDir(nodeName).resolve("agent.log");
    }

    /** The lab's TLS material for the controller's agent API (CA, server certificate and key), written by {@code up}. */
    public Path tlsDir() {
        return root.resolve("tls");
    }

    /** The CA certificate the agents verify the controller with (PEM). */
    public Path caCertificate() {
        return tlsDir().resolve("ca.crt");
    }

    /** The controller's server certificate (PEM, signed by the lab CA; SAN 127.0.0.1 and localhost). */
    public Path serverCertificate() {
        return tlsDir().resolve("tls.crt");
    }

    /** The controller's private key (PEM, PKCS#8). */
    public Path serverKey() {
        return tlsDir().resolve("tls.key");
    }

    /** The controller's secret the per-node agent tokens are derived from. */
    public Path agentTokenSecret() {
        return root.resolve("agent-token-secret");
    }

    /** A node's agent token (its HMAC under {@link #agentTokenSecret()}). */
    public Path agentToken(String nodeName) {
        return nodeDir(nodeName).resolve("agent-token");
    }

    public Path cniSocket(String nodeName) {
        return nodeDir(nodeName).resolve("cni.sock");
    }
}
