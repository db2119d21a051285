package io.trellis.netlink.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Network namespaces for one test, named "trnl" + a per-run random id + a suffix (at most 15 characters),
 * created with {@code ip netns add} and all removed by {@link #close()}, even after a failure.
 */
public final class TestNamespaces implements AutoCloseable {
    private final String prefix;
    private final List<String> created = new ArrayList<>();

    public TestNamespaces() {
        requireRoot();
        byte[] id = new byte[3];
        new SecureRandom().nextBytes(id);
        this.prefix = "trnl" + HexFormat.of().formatHex(id);
    }

    /** Fails (never skips) when the tests do not run as root: they need CAP_NET_ADMIN and CAP_SYS_ADMIN. */
    public static void requireRoot() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst()
                .orElseThrow(() -> new AssertionError("no Uid line in /proc/self/status"))
                .split("\\s+")[2];
        if (!uid.equals("0")) {
            throw new AssertionError("these integration tests must run as root (effective uid is " + uid + ")");
        }
    }

    /** Creates namespace prefix+suffix with its loopback up and returns its name. */
    public String create(String suffix) {
        String name = prefix + suffix;
        if (name.length() > 15) {
            throw new IllegalArgumentException("netns name too long: " + name);
        }
        Shell.run("ip", "netns", "add", name);
        created.add(name);
        Shell.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    public String prefix() {
        return prefix;
    }

    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        for (String name : created) {
            Shell.Result r = Shell.exec("ip", "netns", "del", name);
            if (r.exitCode() != 0) {
                failures.add(name + ": " + r.stderr().strip());
            }
        }
        created.clear();
        if (!failures.isEmpty()) {
            throw new AssertionError("could not delete test namespaces: " + failures);
        }
    }
}
