package io.trellis.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What `lab up` needs from the machine and the build, checked up front with one clear message. */
final class Prerequisites {
    private static final List<String> TOOLS = List.of("ip", "setsid", "ethtool", "openssl");
    /** Each node runs its own OVS daemons. */
    private static final List<String> OVS_TOOLS = List.of("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl");
    /** The linux-bridge backend applies its chains with iptables-restore inside the node namespace. */
    private static final List<String> IPTABLES_TOOLS = List.of("iptables", "iptables-save", "iptables-restore");

    private Prerequisites() {
    }

    static void check(Shell shell, Path home, LabBackend backend) {
        List<String> problems = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            problems.add("the lab creates network namespaces and must run as root");
        }
        List<String> tools = new ArrayList<>(TOOLS);
        tools.addAll(switch (backend) {
            case OVS -> OVS_TOOLS;
            case IPTABLES -> IPTABLES_TOOLS;
        });
        for (String tool : tools) {
            if (!shell.run("sh", "-c", "command -v " + tool).ok()) {
                problems.add("'" + tool + "' not found (Debian packages iproute2, util-linux, ethtool, openssl, and "
                        + (backend.runsOvs() ? "openvswitch-switch" : "iptables") + " for --backend "
                        + backend.configName() + ")");
            }
        }
        requireFile(problems, home.resolve("cni/bin/trellis-cni"), "the CNI executable");
        requireFile(problems, home.resolve("cni/target/trellis-cni.d/trellis-cni.jar"),
                "the CNI executable's jar (mvn -pl cni -am package -DskipTests)");
        requireFile(problems, home.resolve("core-agent/bin/trellis-agent"), "the agent launcher");
        requireFile(problems, home.resolve("core-agent/target/agent.classpath"),
                "the agent's class path (mvn -pl core-agent -am package -DskipTests)");
        requireFile(problems, home.resolve("controller/bin/trellis-controller"), "the controller launcher");
        requireFile(problems, home.resolve("controller/target/controller.classpath"),
                "the controller's class path (mvn -pl controller -am package -DskipTests)");
        requireFile(problems, home.resolve("lab/target/lab.classpath"),
                "the lab's class path (mvn -pl lab -am package -DskipTests)");
        if (!problems.isEmpty()) {
            throw new LabException("cannot start the lab:\n  - " + String.join("\n  - ", problems));
        }
    }

    private static void requireFile(List<String> problems, Path file, String what) {
        if (!Files.exists(file)) {
            problems.add(what + " is missing: " + file);
        }
    }
}
