package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trellis.lab.Lab;
import io.trellis.lab.LabException;
import io.trellis.lab.kubelet.PodSandbox;
import io.trellis.lab.workload.ProbeClient;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "probe", description = "Reachability matrix between all running pods, with the built-in client.")
final class ProbeCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Option(names = "--port", defaultValue = "80", description = "Port to probe (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--protocol", defaultValue = "tcp", description = "tcp or udp (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "-o", paramLabel = "FORMAT", description = "Output format: table (default) or json.")
    String output;

    @Option(names = "--timeout", defaultValue = "1000", description = "Per-pair timeout in ms (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    /** A running pod: its "NS/POD", its IP and its network namespace. */
    private record Target(String key, InetAddress ip, String netns) {
    }

    private record Outcome(String from, String to, boolean ok) {
    }

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65535) {
            throw new LabException(2, "--port must be 1-65535, got " + port);
        }
        ProbeClient.Protocol proto = switch (protocol.toLowerCase(Locale.ROOT)) {
            case "tcp" -> ProbeClient.Protocol.TCP;
            case "udp" -> ProbeClient.Protocol.UDP;
            default -> throw new LabException(2, "--protocol must be tcp or udp, got '" + protocol + "'");
        };
        boolean json = output != null && output.equals("json");
        if (output != null && !json && !output.equals("table")) {
            throw new LabException(2, "-o must be json or table, got '" + output + "'");
        }
        Lab lab = parent.lab();
        List<Target> targets = new ArrayList<>();
        try (KubernetesClient client = lab.client()) {
            for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
                if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())
                        || pod.getStatus().getPodIP() == null) {
                    continue;
                }
                Optional<PodSandbox> sandbox = PodSandbox.load(lab.paths().sandboxDir(), pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName());
                if (sandbox.isPresent()) {
                    targets.add(new Target(sandbox.get().key(), InetAddress.getByName(pod.getStatus().getPodIP()),
                            sandbox.get().netns()));
                }
            }
        }
        targets.sort(Comparator.comparing(Target::key));
        Syscalls sys = Syscalls.system();
        ProbeClient client = new ProbeClient(new NamespaceSwitcher(sys), Duration.ofMillis(timeoutMillis));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Outcome>> futures = new ArrayList<>();
        try {
            for (Target from : targets) {
                for (Target to : targets) {
                    if (from != to) {
                        futures.add(pool.submit(() -> {
                            try (NetNamespace ns = NetNamespace.named(sys, from.netns())) {
                                return new Outcome(from.key(), to.key(),
                                        client.probe(ns, to.ip(), port, proto, to.key()));
                            } catch (RuntimeException e) {
                                return new Outcome(from.key(), to.key(), false);
                            }
                        }));
                    }
                }
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
            String name = proto.name().toLowerCase(Locale.ROOT);
            System.out.print(json ? json(outcomes, name) : table(targets, outcomes, name));
        } finally {
            pool.shutdownNow();
        }
        return 0;
    }

    private String json(List<Outcome> outcomes, String proto) {
        ObjectNode root = Serialization.jsonMapper().createObjectNode();
        root.put("port", port).put("protocol", proto);
        ArrayNode results = root.putArray("results");
        for (Outcome o : outcomes) {
            results.addObject().put("from", o.from()).put("to", o.to()).put("ok", o.ok());
        }
        return root + "\n";
    }

    private String table(List<Target> targets, List<Outcome> outcomes, String proto) {
        if (targets.size() < 2) {
            return "fewer than two running pods: nothing to probe\n";
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("FROM \\ TO"));
        targets.forEach(t -> header.add(t.key()));
        rows.add(header);
        for (Target from : targets) {
            List<String> row = new ArrayList<>(List.of(from.key()));
            for (Target to : targets) {
                row.add(from == to ? "-" : outcomes.stream()
                        .filter(o -> o.from().equals(from.key()) && o.to().equals(to.key()))
                        .findFirst().map(o -> o.ok() ? "ok" : "FAIL").orElse("?"));
            }
            rows.add(row);
        }
        long ok = outcomes.stream().filter(Outcome::ok).count();
        return Table.format(rows) + ok + " of " + outcomes.size() + " pairs reachable on " + proto + "/" + port + "\n";
    }
}
