package io.trellis.iptables.vxlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for one test class, named {@code tvx<4 hex><suffix>} (a per-run prefix), plus
 * the test-side commands ({@code ip}, {@code bridge}, {@code ping}, {@code tcpdump}) that build and
 * observe them. {@link #close()} deletes every namespace, and with them every device inside.
 * Missing root or tools fail the test (never skip it).
 */
final class VxlanTestbed implements AutoCloseable {
    static final List<String> TOOLS = List.of("ip", "bridge", "ping", "tcpdump", "sysctl");

    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();

    record Result(int exitCode, String stdout, String stderr) {
    }

    VxlanTestbed() {
        requirePrerequisites();
        byte[] id = new byte[2];
        new SecureRandom().nextBytes(id);
        this.prefix = "tvx" + HexFormat.of().formatHex(id);
    }

    String prefix() {
        return prefix;
    }

    /** Creates namespace prefix+suffix with its loopback up. */
    String namespace(String suffix) {
        String name = prefix + suffix;
        run("ip", "netns", "add", name);
        namespaces.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** A command inside {@code ns}; returns stdout, fails on a non-zero exit. */
    String in(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    Result execIn(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return exec(full.toArray(String[]::new));
    }

    static String run(String... command) {
        Result r = exec(command);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return r.stdout();
    }

    static Result exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        }
    }

    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        for (String name : namespaces) {
            Result r = exec("ip", "netns", "del", name);
            if (r.exitCode() != 0) {
                failures.add(name + ": " + r.stderr().strip());
            }
        }
        namespaces.clear();
        if (!failures.isEmpty()) {
            throw new AssertionError("could not delete test namespaces: " + failures);
        }
    }

    private static void requirePrerequisites() {
        List<String> problems = new ArrayList<>();
        try {
            String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .findFirst().orElse("Uid: ? ?").trim().split("\\s+")[2];
            if (!uid.equals("0")) {
                problems.add("must run as root to create network namespaces (effective uid " + uid + ")");
            }
        } catch (IOException e) {
            problems.add("cannot read /proc/self/status: " + e.getMessage());
        }
        for (String tool : TOOLS) {
            boolean found = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin").stream()
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            if (!found) {
                problems.add("`" + tool + "` not found (Debian packages iproute2, iputils-ping, tcpdump, procps)");
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("VXLAN integration test prerequisites missing: " + String.join("; ", problems));
        }
    }
}
