package io.trellis.iptables.policy;

import io.trellis.iptables.exec.ProcessRunner;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The integration tests' network: a "node" namespace with the Linux bridge {@code trellis0}
 * (gateway 10.244.1.1/24, ip_forward and bridge-nf-call-iptables on, as the linux-bridge backend sets
 * them) and pod namespaces on it, each running a server answering its name on TCP 80, 81 and UDP 80.
 * Everything is named with a per-run prefix and removed by {@link #close()}, even after a failure.
 * Set up and observed with {@code ip}, {@code ipset}, {@code iptables-save} (test code only).
 */
final class PolicyTestNet implements AutoCloseable {

    static final String GATEWAY = "10.244.1.1";
    /** The system interpreter: a pyenv shim on the PATH costs seconds per start. */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, String> podNamespaces = new LinkedHashMap<>();
    private final Map<String, String> podAddresses = new LinkedHashMap<>();
    private final Path scripts;
    private String node;

    PolicyTestNet() throws IOException {
        Random random = new Random();
        StringBuilder p = new StringBuilder("tip");
        for (int i = 0; i < 4; i++) {
            p.append((char) ('a' + random.nextInt(26)));
        }
        this.prefix = p.append('-').toString();
        this.scripts = Files.createTempDirectory(prefix + "scripts");
        for (String script : List.of("policy_server.py", "policy_client.py")) {
            try (InputStream in = PolicyTestNet.class.getResourceAsStream(script)) {
                if (in == null) {
                    throw new IllegalStateException("test resource " + script + " missing");
                }
                Files.copy(in, scripts.resolve(script), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Builds the node namespace and bridge. */
    void createNode() {
        node = namespace("node");
        sh("ip -n " + node + " link add trellis0 type bridge");
        sh("ip -n " + node + " addr add " + GATEWAY + "/24 dev trellis0");
        sh("ip -n " + node + " link set trellis0 up");
        sh("ip netns exec " + node + " sysctl -qw net.ipv4.ip_forward=1");
        sh("ip netns exec " + node + " sysctl -qw net.bridge.bridge-nf-call-iptables=1");
    }

    /** A pod namespace on the bridge with {@code address}/24, running its server. */
    void addPod(String pod, String address) {
        String ns = namespace(pod);
        String host = prefix + pod;
        sh("ip -n " + node + " link add " + host + " type veth peer name eth0 netns " + ns);
        sh("ip -n " + node + " link set " + host + " master trellis0 up");
        sh("ip -n " + ns + " addr add " + address + "/24 dev eth0");
        sh("ip -n " + ns + " link set eth0 up");
        sh("ip -n " + ns + " route add default via " + GATEWAY);
        podNamespaces.put(pod, ns);
        podAddresses.put(pod, address);
        Process server = background(ns, PYTHON, scripts.resolve("policy_server.py").toString(), pod, "80,81", "80");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                throw new IllegalStateException("server of " + pod + " did not start: " + line);
            }
        } catch (IOException e) {
            throw new IllegalStateException("server of " + pod + " did not start", e);
        }
    }

    String node() {
        return node;
    }

    String address(String pod) {
        return podAddresses.get(pod);
    }

    /** Tools running in the node namespace, as the agent's would in the node's own. */
    PolicyTools tools() {
        NamespaceSwitcher switcher = new NamespaceSwitcher(Syscalls.system());
        NetNamespace ns = NetNamespace.named(Syscalls.system(), node);
        ProcessRunner runner = new ProcessRunner(Duration.ofSeconds(30));
        return PolicyTools.find((argv, stdin) -> switcher.call(ns, () -> runner.run(argv, stdin)));
    }

    /** Whether {@code from} gets an answer from {@code to} over tcp/udp on {@code port}. */
    boolean reaches(String from, String to, String protocol, int port) {
        CommandResult r = run("ip netns exec " + podNamespaces.get(from) + " " + PYTHON + " "
                + scripts.resolve("policy_client.py") + " " + protocol + " " + podAddresses.get(to) + " " + port + " 1");
        if (r.exitCode() == 0 && !r.output().strip().equals(to)) {
            throw new IllegalStateException("unexpected answer from " + to + ": " + r.output());
        }
        return r.exitCode() == 0;
    }

    /** A TCP session from {@code from} to {@code to}:{@code port}, open after the first exchange. */
    Session session(String from, String to, int port) throws IOException {
        Process p = background(podNamespaces.get(from), PYTHON, scripts.resolve("policy_client.py").toString(),
                "session", podAddresses.get(to), Integer.toString(port), "2");
        Session s = new Session(p);
        String first = s.out.readLine();
        if (!to.equals(first)) {
            throw new IllegalStateException("session " + from + " -> " + to + ":" + port + " did not open: " + first);
        }
        return s;
    }

    /** A client connection kept open; {@link #exchange()} sends one more line. */
    static final class Session {
        private final Process process;
        private final BufferedReader out;

        Session(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** One more request/answer over the same connection; the answer, or the failure text. */
        String exchange() throws IOException {
            process.getOutputStream().write("x\n".getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            String line = out.readLine();
            return line == null ? "closed" : line;
        }
    }

    String nodeExec(String command) {
        return sh("ip netns exec " + node + " " + command);
    }

    private String namespace(String suffix) {
        String name = prefix + suffix;
        sh("ip netns add " + name);
        namespaces.add(name);
        sh("ip -n " + name + " link set lo up");
        return name;
    }

    private Process background(String netns, String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + argv, e);
        }
    }

    record CommandResult(int exitCode, String output) {
    }

    static String sh(String command) {
        CommandResult r = run(command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("'" + command + "' failed (exit " + r.exitCode() + "): " + r.output());
        }
        return r.output();
    }

    static CommandResult run(String command) {
        try {
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("'" + command + "' did not finish in 60 s");
            }
            return new CommandResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run '" + command + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (String name : namespaces) {
            // ipset sets live in the namespace and go with it.
            run("ip netns pids " + name + " | xargs -r kill -9");
            run("ip netns del " + name);
        }
        try (var files = Files.walk(scripts)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
