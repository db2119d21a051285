package io.trellis.ovs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the binaries an {@link OvsSandbox} needs and checks it runs as root. A missing piece is a
 * clear {@link IllegalStateException}: integration tests must fail, not skip, on an unprepared host.
 */
record SandboxPrerequisites(Path ip, Path ovsdbTool, Path ovsdbServer, Path ovsVswitchd, Path ovsVsctl,
                            Path ovsOfctl, Path ovsAppctl, Path schema) {

    static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");

    static SandboxPrerequisites check() {
        List<String> problems = new ArrayList<>();
        long uid = effectiveUid();
        if (uid != 0) {
            problems.add("must run as root (uid 0) to create network namespaces, running as uid " + uid);
        }
        Path ip = find("ip", problems, "iproute2");
        Path tool = find("ovsdb-tool", problems, "openvswitch-switch");
        Path server = find("ovsdb-server", problems, "openvswitch-switch");
        Path vswitchd = find("ovs-vswitchd", problems, "openvswitch-switch");
        Path vsctl = find("ovs-vsctl", problems, "openvswitch-switch");
        Path ofctl = find("ovs-ofctl", problems, "openvswitch-switch");
        Path appctl = find("ovs-appctl", problems, "openvswitch-switch");
        if (!Files.isReadable(SCHEMA)) {
            problems.add("OVSDB schema " + SCHEMA + " missing (install Debian package openvswitch-switch)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("OvsSandbox prerequisites missing: " + String.join("; ", problems)
                    + " (run `./trellis test` as root, it installs them)");
        }
        return new SandboxPrerequisites(ip, tool, server, vswitchd, vsctl, ofctl, appctl, SCHEMA);
    }

    private static Path find(String name, List<String> problems, String debianPackage) {
        Optional<Path> found = searchPath().stream()
                .map(dir -> dir.resolve(name))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty()) {
            problems.add("binary `" + name + "` not found on PATH or in /usr/sbin,/sbin (Debian package "
                    + debianPackage + ")");
            return null;
        }
        return found.get();
    }

    private static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(":")) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry));
            }
        }
        // Maven launched by a non-login shell may lack the sbin directories where the daemons live.
        for (String extra : List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            dirs.add(Path.of(extra));
        }
        return dirs;
    }

    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved fs
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status to check for root", e);
        }
        throw new IllegalStateException("no Uid line in /proc/self/status");
    }
}
