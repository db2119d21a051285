package io.trellis.iptables.service;

import io.trellis.iptables.exec.CommandRunner;
import io.trellis.iptables.exec.ProcessRunner;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces named with a per-run prefix, set up and observed with {@code ip} (test code only),
 * all deleted by {@link #close()} even after a failure.
 */
final class TestNamespaces implements AutoCloseable {

    private final String prefix;
    private final List<String> created = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    TestNamespaces() {
        Random random = new Random();
        StringBuilder p = new StringBuilder("tis");
        for (int i = 0; i < 4; i++) {
            p.append((char) ('a' + random.nextInt(26)));
        }
        this.prefix = p.append('-').toString();
    }

    String prefix() {
        return prefix;
    }

    /** Creates {@code <prefix><suffix>} with lo up and returns its name. */
    String create(String suffix) {
        String name = prefix + suffix;
        sh("ip netns add " + name);
        created.add(name);
        sh("ip -n " + name + " link set lo up");
        return name;
    }

    /** A runner whose children start inside {@code netns} (the production NamespacedRunner). */
    CommandRunner runner(String netns) {
        NetNamespace ns = NetNamespace.named(Syscalls.system(), netns);
        return new NamespacedRunner(new NamespaceSwitcher(Syscalls.system()), ns, new ProcessRunner(Duration.ofSeconds(30)));
    }

    IptablesCommands commands(String netns) {
        return IptablesCommands.find(runner(netns));
    }

    /** Starts {@code command} in the background inside {@code netns}; killed by close(). */
    Process background(String netns, String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + argv, e);
        }
    }

    /** Runs a shell command line; fails the test with its output when it exits non-zero. */
    static String sh(String command) {
        CommandResult r = run(command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("'" + command + "' failed (exit " + r.exitCode() + "): " + r.output());
        }
        return r.output();
    }

    record CommandResult(int exitCode, String output) {
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
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (String name : created) {
            run("ip netns pids " + name + " | xargs -r kill -9");
            run("ip netns del " + name);
        }
    }
}
