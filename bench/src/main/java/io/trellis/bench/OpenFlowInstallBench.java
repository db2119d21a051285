package io.trellis.bench;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Installs the same N flows into a sandboxed ovs-vswitchd through the Java OpenFlow client (one
 * bundle, then a barrier) and through {@code ovs-ofctl --bundle add-flows FILE}, alternating the
 * two for each round, and reports flows per second for each. Every leg starts from an empty
 * bridge and is checked afterwards: the bridge must hold exactly N flows, or the run fails.
 */
public final class OpenFlowInstallBench {

    private static final String BRIDGE = "br-bench";
    private static final Pattern FLOW_COUNT = Pattern.compile("flow_count=(\\d+)");

    record Options(int flows, int rounds, Path report) {
        static Options parse(String[] args) {
            int flows = 100_000;
            int rounds = 3;
            Path report = null;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--flows" -> flows = positive("--flows", value);
                    case "--rounds" -> rounds = positive("--rounds", value);
                    case "--report" -> report = value == null ? null : Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "' (options: --flows N, --rounds R, --report FILE)");
                }
                i++;
            }
            return new Options(flows, rounds, report);
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(String.valueOf(value));
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " takes a positive whole number, got '" + value + "'");
        }
    }

    /** One leg's measurement. */
    record Leg(String name, int flows, long nanos) {
        double flowsPerSecond() {
            return flows / (nanos / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Result result = run(options);
        if (options.report() != null) {
            new BenchReport(options.report()).writeSection("openflow-install", result.markdown(options));
            System.out.println("report: " + options.report());
        }
        System.out.println(result.summaryLine());
    }

    /** {@code loadAverage}: /proc/loadavg when the run started, since both legs compete with whatever else runs. */
    record Result(int flows, List<Leg> java, List<Leg> ofctl, String loadAverage) {
        double javaFps() {
            return median(java);
        }

        double ofctlFps() {
            return median(ofctl);
        }

        String summaryLine() {
            return String.format(Locale.ROOT, "openflow-install flows=%d java_fps=%.0f ofctl_fps=%.0f ratio=%.2f",
                    flows, javaFps(), ofctlFps(), javaFps() / ofctlFps());
        }

        String markdown(Options options) {
            StringBuilder md = new StringBuilder();
            md.append("## openflow-install\n\n");
            md.append("Command: `./trellis bench openflow-install --flows ").append(options.flows())
                    .append(" --rounds ").append(options.rounds()).append("`\n\n");
            md.append("""
                    Installs the same flows (1/10 SpoofGuard, 4/10 conjunctive policy dimensions and conj_id
                    flows, 3/10 ct DNAT service flows, 2/10 Geneve tunnel flows) into an empty bridge of a
                    sandboxed `ovs-vswitchd` (userspace datapath), through the Java client (one OpenFlow 1.5
                    bundle, then a barrier) and through `ovs-ofctl -O OpenFlow15 --bundle add-flows FILE`
                    (whole process, parsing included), alternating per round; each leg ends when OVS has
                    confirmed, and is checked to leave exactly N flows. Median of the rounds.

                    """);
            md.append("Load average when the run started: ").append(loadAverage).append("\n\n");
            md.append("| round | java (flows/s) | ovs-ofctl (flows/s) |\n| --- | ---: | ---: |\n");
            for (int r = 0; r < java.size(); r++) {
                md.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f |%n", r + 1,
                        java.get(r).flowsPerSecond(), ofctl.get(r).flowsPerSecond()));
            }
            md.append("\n```\n").append(summaryLine()).append("\n```\n");
            return md.toString();
        }

        private static double median(List<Leg> legs) {
            double[] fps = legs.stream().mapToDouble(Leg::flowsPerSecond).sorted().toArray();
            return fps.length % 2 == 1 ? fps[fps.length / 2] : (fps[fps.length / 2 - 1] + fps[fps.length / 2]) / 2;
        }
    }

    static Result run(Options options) throws Exception {
        String loadAverage = MachineLoad.loadAverage();
        List<FlowMod> flows = FlowMix.generate(options.flows());
        List<Leg> javaLegs = new ArrayList<>();
        List<Leg> ofctlLegs = new ArrayList<>();
        try (OvsSandbox ovs = OvsSandbox.start();
                NettyTransport transport = new NettyTransport(1, "bench-openflow")) {
            ovs.addBridge(BRIDGE);
            Path flowFile = ovs.runDir().resolve("flows.txt");
            writeOfctlFile(flows, flowFile);
            try (OpenFlowClient client = new OpenFlowClient(transport, ovs.bridgeEndpoint(BRIDGE),
                    OpenFlowClientConfig.DEFAULT.withBundleTimeout(Duration.ofMinutes(5)))) {
                client.connect().get(30, TimeUnit.SECONDS);
                for (int round = 1; round <= options.rounds(); round++) {
                    javaLegs.add(javaLeg(ovs, client, flows));
                    ofctlLegs.add(ofctlLeg(ovs, flowFile, flows.size()));
                    System.out.printf(Locale.ROOT, "round %d: java %.0f flows/s, ovs-ofctl %.0f flows/s%n", round,
                            javaLegs.get(round - 1).flowsPerSecond(), ofctlLegs.get(round - 1).flowsPerSecond());
                }
            }
        }
        return new Result(options.flows(), javaLegs, ofctlLegs, loadAverage);
    }

    private static Leg javaLeg(OvsSandbox ovs, OpenFlowClient client, List<FlowMod> flows) throws Exception {
        clear(ovs);
        long start = System.nanoTime();
        client.bundle(flows).get(10, TimeUnit.MINUTES);
        client.barrier().get(5, TimeUnit.MINUTES);
        long nanos = System.nanoTime() - start;
        expectFlowCount(ovs, flows.size(), "java");
        return new Leg("java", flows.size(), nanos);
    }

    private static Leg ofctlLeg(OvsSandbox ovs, Path flowFile, int count) {
        clear(ovs);
        long start = System.nanoTime();
        ovs.ofctlWithOptions(List.of("-O", "OpenFlow15", "--bundle"), BRIDGE, "add-flows", flowFile.toString());
        long nanos = System.nanoTime() - start;
        expectFlowCount(ovs, count, "ovs-ofctl");
        return new Leg("ovs-ofctl", count, nanos);
    }

    private static void clear(OvsSandbox ovs) {
        ovs.ofctl(BRIDGE, "del-flows");
        expectFlowCount(ovs, 0, "del-flows");
    }

    private static void expectFlowCount(OvsSandbox ovs, int expected, String leg) {
        String aggregate = ovs.ofctl(BRIDGE, "dump-aggregate");
        Matcher m = FLOW_COUNT.matcher(aggregate);
        if (!m.find()) {
            throw new IllegalStateException("no flow_count in dump-aggregate output: " + aggregate);
        }
        int actual = Integer.parseInt(m.group(1));
        if (actual != expected) {
            throw new IllegalStateException(leg + ": bridge holds " + actual + " flows, expected " + expected);
        }
    }

    /** The same flows as ovs-ofctl text, one per line: what a user of ovs-ofctl would feed it. */
    static void writeOfctlFile(List<FlowMod> flows, Path file) {
        List<String> lines = new ArrayList<>(flows.size());
        for (FlowMod flow : flows) {
            lines.add(OfctlFlowLine.of(flow));
        }
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
