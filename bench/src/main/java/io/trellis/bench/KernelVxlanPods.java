package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The kernel baseline for the iptables backend: the same shape as an iptables lab's data path, built by hand
 * with {@code ip} and {@code bridge} and nothing else (no agent, no iptables rules, no conntrack). Two node
 * namespaces on an underlay bridge (its own namespace, like the lab's {@code br-underlay}); on each node a
 * Linux bridge holding the pod gateway, the pod's veth on it (MTU 1450, offloads as the kernel sets them, as the
 * linux-bridge backend leaves them), a VXLAN device (VNI 1, UDP 4789, on {@code eth0}, no learning; like the
 * agent's netlink request and {@code ip}, it leaves IFLA_VXLAN_UDP_CSUM to the kernel: outer UDP checksum on) and, for
 * the other node, what the vxlan node-route driver programs: an FDB entry (its VTEP MAC to its node address), a
 * permanent neighbour entry and a route to its pod subnet via that subnet's network address, onlink.
 *
 * <p>Every name starts with a per-run prefix ({@code tkv} + 4 hex digits) recorded in the work directory
 * before anything is created, so {@code close} removes exactly what this run made and a run killed outright
 * (no teardown) is cleaned up by the next start.
 */
final class KernelVxlanPods implements TwoNodePods {
    static final String UNDERLAY_PREFIX = "10.252.0.";
    static final int POD_MTU = 1450;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final String PREFIX_FILE = "prefix";

    private final Path workDir;
    private final String prefix;
    private volatile boolean started;
    private volatile boolean closed;

    KernelVxlanPods(Path workDir) {
        this(workDir, "tkv" + HexFormat.of().toHexDigits((short) new SecureRandom().nextInt(1 << 16)));
    }

    KernelVxlanPods(Path workDir, String prefix) {
        this.workDir = requireNonNull(workDir, "workDir").toAbsolutePath().normalize();
        this.prefix = requireNonNull(prefix, "prefix");
        if (!prefix.matches("[a-z][a-z0-9]{1,7}")) {
            throw new IllegalArgumentException("prefix: 2 to 8 lower-case letters or digits, got '" + prefix + "'");
        }
    }

    @Override
    public String name() {
        return "kernel-vxlan";
    }

    static String podSubnet(int node) {
        return "10.12." + node + ".0/24";
    }

    static String podIp(int node) {
        return "10.12." + node + ".2";
    }

    /** The VXLAN device's MAC on node {@code node}: fixed, so the peers' entries need no lookup. */
    static String vtepMac(int node) {
        return "02:00:0a:0c:00:0" + node;
    }

    String underlayNetns() {
        return prefix + "-u";
    }

    String nodeNetns(int node) {
        return prefix + "-n" + node;
    }

    String podNetns(int node) {
        return prefix + "-p" + node;
    }

    /** Every namespace it creates; deleting them removes every link too (none is made in the host). */
    List<String> namespaces() {
        return List.of(underlayNetns(), nodeNetns(1), nodeNetns(2), podNetns(1), podNetns(2));
    }

    /** The commands that build it, in order. */
    List<List<String>> upCommands() {
        List<List<String>> c = new ArrayList<>();
        String u = underlayNetns();
        for (String ns : namespaces()) {
            c.add(List.of("ip", "netns", "add", ns));
            c.add(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
        c.add(List.of("ip", "-n", u, "link", "add", "br-underlay", "type", "bridge"));
        c.add(List.of("ip", "-n", u, "link", "set", "br-underlay", "up"));
        for (int n = 1; n <= 2; n++) {
            String node = nodeNetns(n);
            String pod = podNetns(n);
            // underlay: the node's eth0 is a veth on the underlay bridge
            c.add(List.of("ip", "-n", node, "link", "add", "eth0", "type", "veth", "peer", "name", "node" + n, "netns", u));
            c.add(List.of("ip", "-n", u, "link", "set", "node" + n, "master", "br-underlay", "up"));
            c.add(List.of("ip", "-n", node, "addr", "add", UNDERLAY_PREFIX + n + "/24", "dev", "eth0"));
            c.add(List.of("ip", "-n", node, "link", "set", "eth0", "up"));
            // the pod bridge with the gateway, forwarding between it and the VXLAN device
            c.add(List.of("ip", "-n", node, "link", "add", "br0", "type", "bridge"));
            c.add(List.of("ip", "-n", node, "addr", "add", "10.12." + n + ".1/24", "dev", "br0"));
            c.add(List.of("ip", "-n", node, "link", "set", "br0", "up"));
            c.add(List.of("ip", "netns", "exec", node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
            c.add(List.of("ip", "-n", node, "link", "add", "vx0", "address", vtepMac(n), "type", "vxlan", "id", "1",
                    "local", UNDERLAY_PREFIX + n, "dev", "eth0", "dstport", "4789", "nolearning"));
            c.add(List.of("ip", "-n", node, "link", "set", "vx0", "up"));
            // the pod: a veth whose node end is a bridge port
            c.add(List.of("ip", "-n", pod, "link", "add", "eth0", "mtu", String.valueOf(POD_MTU), "type", "veth", "peer",
                    "name", "veth" + n, "mtu", String.valueOf(POD_MTU), "netns", node));
            c.add(List.of("ip", "-n", node, "link", "set", "veth" + n, "master", "br0", "up"));
            c.add(List.of("ip", "-n", pod, "addr", "add", podIp(n) + "/24", "dev", "eth0"));
            c.add(List.of("ip", "-n", pod, "link", "set", "eth0", "up"));
            c.add(List.of("ip", "-n", pod, "route", "add", "default", "via", "10.12." + n + ".1"));
        }
        for (int n = 1; n <= 2; n++) {
            int m = 3 - n;
            String node = nodeNetns(n);
            String remoteNet = "10.12." + m + ".0";
            c.add(List.of("bridge", "-n", node, "fdb", "append", vtepMac(m), "dev", "vx0", "dst", UNDERLAY_PREFIX + m));
            c.add(List.of("ip", "-n", node, "neigh", "add", remoteNet, "lladdr", vtepMac(m), "dev", "vx0", "nud",
                    "permanent"));
            c.add(List.of("ip", "-n", node, "route", "add", podSubnet(m), "via", remoteNet, "dev", "vx0", "onlink"));
        }
        return c;
    }

    @Override
    public PodPair start() {
        removeStale();
        List<String> taken = existing(namespaces());
        if (!taken.isEmpty()) {
            throw new IllegalStateException("namespaces " + taken + " exist already: not reusing someone else's");
        }
        try {
            Files.createDirectories(workDir);
            Files.writeString(workDir.resolve(PREFIX_FILE), prefix + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the prefix in " + workDir, e);
        }
        started = true;
        if (closed) {
            throw new IllegalStateException("interrupted: the benchmark is being torn down");
        }
        System.out.println("== " + name() + ": two netns nodes, Linux bridge + kernel VXLAN by hand (prefix " + prefix
                + ") ==");
        for (List<String> command : upCommands()) {
            if (closed) {
                throw new IllegalStateException("interrupted: the benchmark is being torn down");
            }
            HostCommand.capture(command, COMMAND_TIMEOUT).check();
        }
        PodPair pair = new PodPair(PodEndpoint.read(podNetns(1)), PodEndpoint.read(podNetns(2)));
        if (!pair.client().ip().equals(podIp(1)) || !pair.server().ip().equals(podIp(2))) {
            throw new IllegalStateException("kernel baseline pods hold " + pair.client().ip() + " and "
                    + pair.server().ip() + ", expected " + podIp(1) + " and " + podIp(2));
        }
        return pair;
    }

    /** A run killed without teardown left its prefix in the work directory: remove its namespaces. */
    private void removeStale() {
        Path file = workDir.resolve(PREFIX_FILE);
        if (!Files.exists(file)) {
            return;
        }
        try {
            String stale = Files.readString(file).strip();
            if (!stale.isEmpty()) {
                KernelVxlanPods old = new KernelVxlanPods(workDir, stale);
                System.out.println("removing the kernel baseline a dead run left (prefix " + stale + ")");
                old.deleteNamespaces();
            }
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<String> existing(List<String> names) {
        String list = HostCommand.capture(List.of("ip", "netns", "list"), COMMAND_TIMEOUT).check().stdout();
        List<String> present = new ArrayList<>();
        for (String line : list.split("\n")) {
            String name = line.strip().split("\\s+", 2)[0];
            if (names.contains(name)) {
                present.add(name);
            }
        }
        return present;
    }

    private void deleteNamespaces() {
        for (String ns : existing(namespaces())) {
            HostCommand.Output out = HostCommand.capture(List.of("ip", "netns", "del", ns), COMMAND_TIMEOUT);
            if (!out.succeeded()) {
                System.err.println("warning: ip netns del " + ns + ": " + out.stderr().strip());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!started) {
            return;
        }
        System.out.println("== " + name() + ": deleting namespaces " + prefix + "-* ==");
        deleteNamespaces();
        List<String> left = existing(namespaces());
        if (left.isEmpty()) {
            try {
                Files.deleteIfExists(workDir.resolve(PREFIX_FILE));
                Files.deleteIfExists(workDir);
            } catch (IOException e) {
                System.err.println("warning: cannot remove " + workDir + ": " + e.getMessage());
            }
        } else {
            System.err.println("warning: namespaces left after the kernel baseline's teardown: " + left);
        }
    }

    @Override
    public String toString() {
        return name() + " (" + prefix + ")";
    }
}
