package io.trellis.ovs.testing;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.transport.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An isolated Open vSwitch for integration tests: its own network namespace, run directory,
 * ovsdb-server (socket {@code db.sock}) and ovs-vswitchd using the userspace datapath, so tests never
 * touch a system OVS or each other. Names share the family prefix {@value #FAMILY} followed by six
 * random hex digits (network namespace and interface names stay within Linux's 15 characters).
 *
 * <p>{@link #close()} always kills the daemons and removes the namespaces and run directory;
 * {@link #sweepLeftovers()} (run by {@link #start()}) removes what crashed earlier runs left behind.
 * A missing prerequisite (not root, OVS not installed) fails with {@link IllegalStateException}.
 */
public final class OvsSandbox implements AutoCloseable {
    /** Prefix of every name (netns, interface, run directory) a sandbox creates. */
    public static final String FAMILY = "trs";
    /** Parent of every sandbox run directory. Kept short: Unix socket paths are limited to 107 bytes. */
    public static final Path BASE_DIR = Path.of("/tmp/trellis-ovs-sandbox");

    private static final Logger log = LoggerFactory.getLogger(OvsSandbox.class);
    private static final Pattern SANDBOX_ID = Pattern.compile(FAMILY + "[0-9a-f]{6}");
    private static final Pattern SANDBOX_NETNS = Pattern.compile("(" + FAMILY + "[0-9a-f]{6})(p\\d+)?");
    private static final String OWNER_FILE = "owner";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DAEMON_STOP_WAIT = Duration.ofSeconds(5);
    private static final Duration SOCKET_WAIT = Duration.ofSeconds(20);

    private final SandboxPrerequisites bin;
    private final String id;
    private final Path dir;
    private final CommandRunner runner;
    private final Set<String> bridges = new LinkedHashSet<>();
    private final List<Pod> pods = new CopyOnWriteArrayList<>();
    private final Set<String> ownNetns = ConcurrentHashMap.newKeySet();
    private final List<Process> spawned = new CopyOnWriteArrayList<>();
    private boolean closed;

    private OvsSandbox(SandboxPrerequisites bin, String id, Path dir) {
        this.bin = bin;
        this.id = id;
        this.dir = dir;
        this.runner = new CommandRunner(Map.of(
                "OVS_RUNDIR", dir.toString(),
                "OVS_LOGDIR", dir.toString(),
                "OVS_DBDIR", dir.toString()), COMMAND_TIMEOUT);
        ownNetns.add(id);
    }

    /** Checks prerequisites, sweeps leftovers of dead runs, and starts ovsdb-server and ovs-vswitchd. */
    public static OvsSandbox start() {
        SandboxPrerequisites bin = SandboxPrerequisites.check();
        sweepLeftovers();
        String id;
        Path dir;
        try {
            Files.createDirectories(BASE_DIR);
            // ovs-ofctl and ovs-vsctl still expect the default run directory to exist.
            Files.createDirectories(Path.of("/var/run/openvswitch"));
            while (true) {
                id = newId();
                dir = BASE_DIR.resolve(id);
                try {
                    Files.createDirectory(dir);
                    break;
                } catch (FileAlreadyExistsException e) {
                    // another sandbox drew the same id: draw again
                }
            }
            ProcessHandle self = ProcessHandle.current();
            Files.writeString(dir.resolve(OWNER_FILE), self.pid() + " " + startMillis(self) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create sandbox run directory under " + BASE_DIR, e);
        }
        OvsSandbox sandbox = new OvsSandbox(bin, id, dir);
        try {
            sandbox.boot();
            return sandbox;
        } catch (RuntimeException e) {
            try {
                sandbox.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void boot() {
        run(bin.ip().toString(), "netns", "add", id);
        exec("ip", "link", "set", "lo", "up");
        run(bin.ovsdbTool().toString(), "create", dir.resolve("conf.db").toString(), bin.schema().toString());
        startOvsdb();
        vsctlNoWait("init");
        startVswitchd();
        log.info("OVS sandbox {} up: netns {}, run dir {}", id, id, dir);
    }

    // ---------------------------------------------------------------- names and endpoints

    /** This sandbox's unique name, e.g. {@code trs3fa9c1}; also the name of its network namespace. */
    public String id() {
        return id;
    }

    public String netns() {
        return id;
    }

    public Path runDir() {
        return dir;
    }

    public Path dbSocket() {
        return dir.resolve("db.sock");
    }

    public Endpoint dbEndpoint() {
        return new Endpoint.Unix(dbSocket());
    }

    /** The OpenFlow management socket ovs-vswitchd opens for a bridge: {@code <rundir>/<bridge>.mgmt}. */
    public Path bridgeMgmtSocket(String bridge) {
        return dir.resolve(requireNonNull(bridge, "bridge") + ".mgmt");
    }

    public Endpoint bridgeEndpoint(String bridge) {
        return new Endpoint.Unix(bridgeMgmtSocket(bridge));
    }

    public Path vswitchdLog() {
        return dir.resolve("vswitchd.log");
    }

    // ---------------------------------------------------------------- command line tools

    /** Runs {@code ovs-vsctl --db=unix:<db.sock> ARGS}; returns stdout, throws with stderr on failure. */
    public String vsctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(bin.ovsVsctl().toString(), "--db=unix:" + dbSocket(),
                "--timeout=30"));
        argv.addAll(List.of(args));
        return runner.run(argv).stdoutOrThrow();
    }

    private String vsctlNoWait(String... args) {
        List<String> argv = new ArrayList<>(List.of("--no-wait"));
        argv.addAll(List.of(args));
        return vsctl(argv.toArray(String[]::new));
    }

    /**
     * Runs {@code ovs-ofctl -O OpenFlow15 COMMAND unix:<bridge.mgmt> ARGS} inside the sandbox netns,
     * e.g. {@code ofctl("br0", "dump-flows")} or {@code ofctl("br0", "add-flow", "actions=drop")}.
     */
    public String ofctl(String bridge, String command, String... args) {
        return ofctlWithOptions(List.of("-O", "OpenFlow15"), bridge, command, args);
    }

    /** Like {@link #ofctl} with explicit options (e.g. {@code -O OpenFlow13}, {@code --bundle}). */
    public String ofctlWithOptions(List<String> options, String bridge, String command, String... args) {
        return ofctlResult(options, bridge, command, args).stdoutOrThrow();
    }

    /** Like {@link #ofctlWithOptions} but returns the result even when ovs-ofctl fails. */
    public CommandResult ofctlResult(List<String> options, String bridge, String command, String... args) {
        List<String> argv = new ArrayList<>(options);
        argv.add(command);
        argv.add("unix:" + bridgeMgmtSocket(bridge));
        argv.addAll(List.of(args));
        return execResult(id, prepend(bin.ovsOfctl().toString(), argv));
    }

    /** Runs {@code ovs-appctl -t <vswitchd.ctl> ARGS}, e.g. {@code ofproto/trace br0 in_port=1}. */
    public String appctlVswitchd(String... args) {
        List<String> argv = new ArrayList<>(List.of(bin.ovsAppctl().toString(), "-t",
                dir.resolve("vswitchd.ctl").toString()));
        argv.addAll(List.of(args));
        return runner.run(argv).stdoutOrThrow();
    }

    /** Runs argv inside the sandbox netns; returns stdout, throws with stderr on failure. */
    public String exec(String... argv) {
        return execIn(id, argv);
    }

    /** Runs argv inside the given netns (the sandbox's or one of its pods'). */
    public String execIn(String netns, String... argv) {
        return execResult(netns, List.of(argv)).stdoutOrThrow();
    }

    public CommandResult execResult(String netns, List<String> argv) {
        requireOwnNetns(netns);
        List<String> full = new ArrayList<>(List.of(bin.ip().toString(), "netns", "exec", netns));
        full.addAll(argv);
        return runner.run(full);
    }

    /**
     * Starts argv in the background inside netns (for a probe stream, tcpdump, ovs-ofctl monitor).
     * The process is destroyed by {@link #close()} if still running; output goes to the returned
     * Process' streams, which the caller must drain.
     */
    public Process spawn(String netns, List<String> argv) {
        requireOwnNetns(netns);
        List<String> full = new ArrayList<>(List.of(bin.ip().toString(), "netns", "exec", netns));
        full.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(full);
        builder.environment().put("OVS_RUNDIR", dir.toString());
        try {
            Process process = builder.start();
            spawned.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", full), e);
        }
    }

    private void requireOwnNetns(String netns) {
        if (!ownNetns.contains(netns)) {
            throw new IllegalArgumentException("netns " + netns + " does not belong to sandbox " + id);
        }
    }

    private String run(String... argv) {
        return runner.run(List.of(argv)).stdoutOrThrow();
    }

    // ---------------------------------------------------------------- topology helpers

    /**
     * Adds a userspace (netdev) bridge speaking OpenFlow 1.3 and 1.5 and waits until ovs-vswitchd
     * has opened its management socket.
     */
    public void addBridge(String name) {
        vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev",
                "protocols=OpenFlow13,OpenFlow15");
        bridges.add(name);
        awaitSocket(bridgeMgmtSocket(name));
    }

    /**
     * Creates a pod namespace ({@code <id>p<n>}) with eth0 at ipv4Cidr (e.g. {@code 10.0.0.1/24}),
     * attached through a veth pair to bridge as OpenFlow port ofport. IPv6 is off in the pod so
     * router solicitations do not add noise to flow counters; TX checksum offload is off because
     * the userspace datapath does not complete partial checksums.
     */
    public synchronized Pod addPod(String bridge, String ipv4Cidr, int ofport) {
        int n = ownNetns.size(); // the sandbox netns counts, so pods are numbered from 1
        String podNs = id + "p" + n;
        String hostPort = id + "v" + n;
        String ip = bin.ip().toString();
        run(ip, "netns", "add", podNs);
        ownNetns.add(podNs);
        execIn(podNs, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        run(ip, "-n", id, "link", "add", hostPort, "type", "veth", "peer", "name", "eth0", "netns", podNs);
        run(ip, "-n", id, "link", "set", hostPort, "up");
        run(ip, "-n", podNs, "link", "set", "lo", "up");
        run(ip, "-n", podNs, "addr", "add", ipv4Cidr, "dev", "eth0");
        run(ip, "-n", podNs, "link", "set", "eth0", "up");
        execIn(podNs, "ethtool", "-K", "eth0", "tx", "off");
        String mac = execIn(podNs, "cat", "/sys/class/net/eth0/address").strip();
        vsctl("add-port", bridge, hostPort, "--", "set", "interface", hostPort, "ofport_request=" + ofport);
        String assigned = vsctl("get", "interface", hostPort, "ofport").strip();
        if (!assigned.equals(Integer.toString(ofport))) {
            throw new IllegalStateException("port " + hostPort + " got ofport " + assigned + ", requested " + ofport);
        }
        Pod pod = new Pod(podNs, hostPort, mac, ipv4Cidr.split("/")[0], ofport);
        pods.add(pod);
        return pod;
    }

    public List<Pod> pods() {
        return List.copyOf(pods);
    }

    // ---------------------------------------------------------------- daemon lifecycle

    /** Starts ovsdb-server on the existing database (again, after {@link #killOvsdb()}). */
    public void startOvsdb() {
        startDaemon("ovsdb", List.of(bin.ip().toString(), "netns", "exec", id,
                bin.ovsdbServer().toString(), dir.resolve("conf.db").toString(),
                "--remote=punix:" + dbSocket(),
                "--pidfile=" + dir.resolve("ovsdb.pid"),
                "--unixctl=" + dir.resolve("ovsdb.ctl"),
                "--log-file=" + dir.resolve("ovsdb.log"),
                "--detach"));
        awaitSocket(dbSocket());
    }

    /** Starts ovs-vswitchd (again, after {@link #killVswitchd()}) and waits for every bridge's mgmt socket. */
    public void startVswitchd() {
        startDaemon("vswitchd", List.of(bin.ip().toString(), "netns", "exec", id,
                bin.ovsVswitchd().toString(), "unix:" + dbSocket(),
                "--pidfile=" + dir.resolve("vswitchd.pid"),
                "--unixctl=" + dir.resolve("vswitchd.ctl"),
                "--log-file=" + dir.resolve("vswitchd.log"),
                "--detach"));
        for (String bridge : bridges) {
            awaitSocket(bridgeMgmtSocket(bridge));
        }
    }

    /** Kills ovs-vswitchd with SIGKILL, as a crash would; its mgmt sockets stop answering. */
    public void killVswitchd() {
        if (!ProcessTable.stop(dir.resolve("vswitchd.pid"), "ovs-vswitchd", true, DAEMON_STOP_WAIT)) {
            throw new IllegalStateException("ovs-vswitchd of sandbox " + id + " was not running");
        }
        deleteQuietly(dir.resolve("vswitchd.pid"));
    }

    /** Kills ovsdb-server with SIGKILL. */
    public void killOvsdb() {
        if (!ProcessTable.stop(dir.resolve("ovsdb.pid"), "ovsdb-server", true, DAEMON_STOP_WAIT)) {
            throw new IllegalStateException("ovsdb-server of sandbox " + id + " was not running");
        }
        deleteQuietly(dir.resolve("ovsdb.pid"));
        deleteQuietly(dbSocket());
    }

    /**
     * Freezes ovs-vswitchd with SIGSTOP: its sockets stay open but nothing answers, as with a hung
     * switch (what echo keepalives are for). {@link #resumeVswitchd()} thaws it; close() does too.
     */
    public void pauseVswitchd() {
        signalVswitchd("STOP");
    }

    public void resumeVswitchd() {
        signalVswitchd("CONT");
    }

    private void signalVswitchd(String signal) {
        OptionalLong pid = ProcessTable.readPidFile(dir.resolve("vswitchd.pid"));
        if (pid.isEmpty() || !ProcessTable.isRunning(pid.getAsLong())) {
            throw new IllegalStateException("ovs-vswitchd of sandbox " + id + " is not running");
        }
        run("kill", "-" + signal, Long.toString(pid.getAsLong()));
    }

    public boolean vswitchdRunning() {
        OptionalLong pid = ProcessTable.readPidFile(dir.resolve("vswitchd.pid"));
        return pid.isPresent() && ProcessTable.isRunning(pid.getAsLong());
    }

    private void startDaemon(String name, List<String> argv) {
        Path out = dir.resolve(name + ".start.out");
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("OVS_RUNDIR", dir.toString());
        builder.environment().put("OVS_LOGDIR", dir.toString());
        builder.environment().put("OVS_DBDIR", dir.toString());
        try {
            // With --detach the launcher returns once the daemon is initialised; output goes to a
            // file because the detached daemon could otherwise hold our pipe open.
            Process launcher = builder.start();
            if (!launcher.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
                throw new IllegalStateException(name + " of sandbox " + id + " did not detach within " + COMMAND_TIMEOUT);
            }
            if (launcher.exitValue() != 0) {
                throw new IllegalStateException("starting " + name + " failed (exit " + launcher.exitValue()
                        + "): " + String.join(" ", argv) + "\n" + Files.readString(out)
                        + tail(dir.resolve(name + ".log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting " + name, e);
        }
    }

    private void awaitSocket(Path socket) {
        long deadline = System.nanoTime() + SOCKET_WAIT.toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("socket " + socket + " did not appear within " + SOCKET_WAIT
                        + tail(vswitchdLog()));
            }
            ProcessTable.sleep(20);
        }
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return "\n--- last lines of " + logFile + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    // ---------------------------------------------------------------- cleanup

    /** Kills the daemons and background processes, deletes the namespaces and the run directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process process : spawned) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        // A SIGSTOPped daemon would ignore the SIGTERM below until continued.
        ProcessTable.readPidFile(dir.resolve("vswitchd.pid")).ifPresent(pid ->
                runner.run(List.of("kill", "-CONT", Long.toString(pid))));
        List<String> problems = removeInstance(id, dir);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cleanup of sandbox " + id + " incomplete: " + String.join("; ", problems));
        }
        log.info("OVS sandbox {} removed", id);
    }

    /**
     * Removes leftovers of sandboxes whose owning JVM is dead (a crashed or killed test run):
     * daemons, namespaces of the {@value #FAMILY} family and run directories. Sandboxes of live
     * processes are left alone.
     */
    public static void sweepLeftovers() {
        Set<String> live = new LinkedHashSet<>();
        if (Files.isDirectory(BASE_DIR)) {
            try (Stream<Path> dirs = Files.list(BASE_DIR)) {
                for (Path candidate : dirs.sorted(Comparator.naturalOrder()).toList()) {
                    String name = candidate.getFileName().toString();
                    if (!SANDBOX_ID.matcher(name).matches()) {
                        continue;
                    }
                    if (ownerAlive(candidate)) {
                        live.add(name);
                        continue;
                    }
                    log.warn("removing leftover OVS sandbox {} of a dead process", name);
                    List<String> problems = removeInstance(name, candidate);
                    if (!problems.isEmpty()) {
                        log.warn("leftover sandbox {} not fully removed: {}", name, problems);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + BASE_DIR, e);
            }
        }
        // Namespaces whose run directory is gone (deleted by hand, or a crash mid-cleanup).
        for (String netns : listNetns()) {
            var matcher = SANDBOX_NETNS.matcher(netns);
            if (matcher.matches() && !live.contains(matcher.group(1)) && !Files.exists(BASE_DIR.resolve(matcher.group(1)))) {
                log.warn("removing orphan network namespace {}", netns);
                deleteNetns(netns);
            }
        }
    }

    private static boolean ownerAlive(Path sandboxDir) {
        try {
            String[] owner = Files.readString(sandboxDir.resolve(OWNER_FILE)).strip().split(" ");
            long pid = Long.parseLong(owner[0]);
            long start = Long.parseLong(owner[1]);
            if (!ProcessTable.isRunning(pid)) {
                return false;
            }
            // Same PID but a different start time: the PID was recycled, the owner is gone.
            return ProcessHandle.of(pid).map(OvsSandbox::startMillis).orElse(-1L) == start;
        } catch (IOException | RuntimeException e) {
            // No owner file yet: a sandbox being created right now; give it a minute.
            try {
                return Files.getLastModifiedTime(sandboxDir).toInstant().isAfter(Instant.now().minusSeconds(60));
            } catch (IOException gone) {
                return false;
            }
        }
    }

    private static List<String> removeInstance(String sandboxId, Path sandboxDir) {
        List<String> problems = new ArrayList<>();
        ProcessTable.stop(sandboxDir.resolve("vswitchd.pid"), "ovs-vswitchd", false, DAEMON_STOP_WAIT);
        ProcessTable.stop(sandboxDir.resolve("ovsdb.pid"), "ovsdb-server", false, DAEMON_STOP_WAIT);
        for (String netns : listNetns()) {
            var matcher = SANDBOX_NETNS.matcher(netns);
            if (matcher.matches() && matcher.group(1).equals(sandboxId)) {
                String problem = deleteNetns(netns);
                if (problem != null) {
                    problems.add(problem);
                }
            }
        }
        try {
            deleteRecursively(sandboxDir);
        } catch (IOException | UncheckedIOException e) {
            problems.add("cannot delete " + sandboxDir + ": " + e.getMessage());
        }
        return problems;
    }

    private static List<String> listNetns() {
        CommandResult result = new CommandRunner(Map.of(), COMMAND_TIMEOUT).run(List.of("ip", "netns", "list"));
        if (!result.succeeded()) {
            return List.of();
        }
        return result.stdout().lines().map(line -> line.split("\\s+")[0]).filter(s -> !s.isEmpty()).toList();
    }

    /** Deletes a netns; returns a problem description or null. */
    private static String deleteNetns(String netns) {
        CommandResult result = new CommandRunner(Map.of(), COMMAND_TIMEOUT).run(List.of("ip", "netns", "del", netns));
        return result.succeeded() ? null : "ip netns del " + netns + ": " + result.stderr().strip();
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("cannot delete {}", path, e);
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static String newId() {
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        return FAMILY + HexFormat.of().formatHex(random);
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @Override
    public String toString() {
        return "OvsSandbox[" + id + " " + dir + "]";
    }
}
