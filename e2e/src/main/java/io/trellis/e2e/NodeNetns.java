package io.trellis.e2e;

import io.trellis.ovs.testing.CommandResult;
import io.trellis.ovs.testing.CommandRunner;
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
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's network namespace without OVS (for the kernel data plane: bridge, iptables): netns
 * {@code tin<6 hex>}, its run directory under {@link #BASE_DIR} with an owner file. {@link #close()}
 * deletes the node's netns, its pods' ({@code <id>p<N>}) and the directory; {@link #start()} first
 * removes those of runs whose JVM is dead.
 */
public final class NodeNetns implements AutoCloseable {
    public static final String FAMILY = "tin";
    /** Short: the agent's CNI socket lives below it (Unix socket paths are limited to 107 bytes). */
    public static final Path BASE_DIR = Path.of("/tmp/trellis-node-netns");
    private static final Logger LOG = LoggerFactory.getLogger(NodeNetns.class);
    private static final Pattern ID = Pattern.compile(FAMILY + "[0-9a-f]{6}");
    private static final Pattern NETNS = Pattern.compile("(" + FAMILY + "[0-9a-f]{6})(p\\d+)?");
    private static final String OWNER_FILE = "owner";

    private final String id;
    private final Path dir;
    private boolean closed;

    private NodeNetns(String id, Path dir) {
        this.id = id;
        this.dir = dir;
    }

    /** Creates the namespace (loopback up) and its run directory. */
    public static NodeNetns start() {
        sweepLeftovers();
        String id;
        Path dir;
        try {
            Files.createDirectories(BASE_DIR);
            while (true) {
                byte[] random = new byte[3];
                new SecureRandom().nextBytes(random);
                id = FAMILY + HexFormat.of().formatHex(random);
                dir = BASE_DIR.resolve(id);
                try {
                    Files.createDirectory(dir);
                    break;
                } catch (FileAlreadyExistsException e) {
                    // drawn twice: draw again
                }
            }
            ProcessHandle self = ProcessHandle.current();
            Files.writeString(dir.resolve(OWNER_FILE), self.pid() + " " + startMillis(self) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory under " + BASE_DIR, e);
        }
        NodeNetns node = new NodeNetns(id, dir);
        try {
            run(List.of("ip", "netns", "add", id)).stdoutOrThrow();
            run(List.of("ip", "-n", id, "link", "set", "lo", "up")).stdoutOrThrow();
            LOG.info("node netns {} up, run dir {}", id, dir);
            return node;
        } catch (RuntimeException e) {
            try {
                node.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The node's name, also its netns's name and the prefix of its pods' namespaces. */
    public String id() {
        return id;
    }

    public Path runDir() {
        return dir;
    }

    /** Deletes the node's and its pods' namespaces and the run directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> problems = remove(id, dir);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cleanup of node netns " + id + " incomplete: " + String.join("; ", problems));
        }
    }

    /** Removes the namespaces and directories of nodes whose owning JVM has ended (a killed run). */
    public static void sweepLeftovers() {
        if (Files.isDirectory(BASE_DIR)) {
            try (Stream<Path> dirs = Files.list(BASE_DIR)) {
                for (Path candidate : dirs.toList()) {
                    String name = candidate.getFileName().toString();
                    if (ID.matcher(name).matches() && !ownerAlive(candidate)) {
                        LOG.warn("removing leftover node netns {} of a dead process", name);
                        remove(name, candidate);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + BASE_DIR, e);
            }
        }
        for (String netns : listNetns()) {
            Matcher m = NETNS.matcher(netns);
            if (m.matches() && !Files.exists(BASE_DIR.resolve(m.group(1)))) {
                run(List.of("ip", "netns", "del", netns));
            }
        }
    }

    private static List<String> remove(String id, Path dir) {
        List<String> problems = new ArrayList<>();
        // Pods first: their veth peers then vanish with them.
        List<String> mine = listNetns().stream().filter(n -> {
            Matcher m = NETNS.matcher(n);
            return m.matches() && m.group(1).equals(id);
        }).sorted(Comparator.comparing(String::length).reversed()).toList();
        for (String netns : mine) {
            CommandResult r = run(List.of("ip", "netns", "del", netns));
            if (!r.succeeded()) {
                problems.add("ip netns del " + netns + ": " + r.stderr().strip());
            }
        }
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            problems.add("cannot delete " + dir + ": " + e.getMessage());
        }
        return problems;
    }

    private static boolean ownerAlive(Path dir) {
        try {
            String[] owner = Files.readString(dir.resolve(OWNER_FILE)).strip().split(" ");
            long start = Long.parseLong(owner[1]);
            // Same pid with another start time: the pid was recycled.
            return ProcessHandle.of(Long.parseLong(owner[0])).filter(ProcessHandle::isAlive)
                    .map(NodeNetns::startMillis).orElse(-1L) == start;
        } catch (IOException | RuntimeException e) {
            // No owner file yet: a node being created right now; give it a minute.
            try {
                return Files.getLastModifiedTime(dir).toInstant().isAfter(Instant.now().minusSeconds(60));
            } catch (IOException gone) {
                return false;
            }
        }
    }

    private static List<String> listNetns() {
        CommandResult r = run(List.of("ip", "netns", "list"));
        return r.succeeded() ? r.stdout().lines().map(l -> l.split("\\s+")[0]).filter(s -> !s.isEmpty()).toList()
                : List.of();
    }

    private static CommandResult run(List<String> argv) {
        return new CommandRunner(Map.of(), Duration.ofSeconds(60)).run(argv);
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    @Override
    public String toString() {
        return "NodeNetns[" + id + " " + dir + "]";
    }
}
