package io.trellis.bench;

import static io.trellis.bench.Pause.sleep;
import static java.util.Objects.requireNonNull;

import io.trellis.e2e.AgentNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One data plane under the service-scale benchmark: how to read its totals back, how to empty it
 * for a start from scratch (the agent stopped), and how to see that one endpoint left one
 * Service. {@link Ovs}: the switch's groups and flows; {@link Iptables}: the nat table's chains.
 */
sealed interface ScalePlane permits ScalePlane.Ovs, ScalePlane.Iptables {

    /** The backend's name in the report: {@code ovs}, {@code iptables}. */
    String name();

    /** The agent threads whose places the thread dumps rank. */
    List<String> profiledThreads();

    PlaneCounts counts();

    /** The data plane's CPU seconds so far (a counter: the observer subtracts its start). */
    double cpuSeconds();

    /** With the agent stopped: empties the data plane of every Service (checked). */
    void clear();

    /** Learns, from the programmed plane, what a complete one holds for {@code services} Services. */
    void learn(int services);

    /** What the plane holds with every Service programmed (after {@link #learn}). */
    PlaneCounts expected(int services);

    /** What the counts are, for the report, e.g. "groups; flows (112 base + N × 2)". */
    String countsMeaning(int services);

    /** Reads which objects serve the Services, before the endpoint changes. */
    void prepareChanges();

    /**
     * An endpoint change about to be written: {@code gone} ({@code IP:PORT}) leaves {@code service},
     * {@code remaining} endpoints stay; returns the check, one read of the plane per call.
     */
    ChangeProbe probe(ScaleService service, String gone, int remaining);

    /** Facts of this plane for the report (e.g. how long one dump of the rules takes). */
    Map<String, String> facts(String agentLog);

    interface ChangeProbe {
        /** Whether the plane shows the Service without the endpoint; {@code what} of the last read for errors. */
        boolean done();

        String lastSeen();
    }

    // ------------------------------------------------------------------ OVS

    /** The switch of an OVS node: groups (one per Service) and flows; {@code ovs-vswitchd} restarted empty. */
    final class Ovs implements ScalePlane {
        private static final Duration OFCTL_TIMEOUT = Duration.ofSeconds(120);
        private final AgentNode node;
        private final Path mgmt;
        private PlaneCounts baseline;
        private long flowsPerService;
        private Map<String, Long> groups = Map.of();

        Ovs(AgentNode node) {
            this.node = requireNonNull(node, "node");
            this.mgmt = node.sandbox().bridgeMgmtSocket(AgentNode.BRIDGE);
        }

        @Override
        public String name() {
            return "ovs";
        }

        @Override
        public List<String> profiledThreads() {
            return List.of("trellis-services", "main");
        }

        /** The base pipeline before any Service (the node with its pods). */
        void baseline() {
            baseline = counts();
        }

        @Override
        public PlaneCounts counts() {
            return new PlaneCounts(OvsCounts.flowCount(ofctl("dump-aggregate")), OvsCounts.groupCount(ofctl("dump-groups")));
        }

        @Override
        public double cpuSeconds() {
            return Math.max(0, ProcessCpu.seconds(vswitchdPid()));
        }

        @Override
        public void clear() {
            node.sandbox().killVswitchd();
            node.sandbox().startVswitchd();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(mgmt)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(mgmt + " did not come back after the ovs-vswitchd restart");
                }
                sleep(100);
            }
            PlaneCounts empty = counts();
            if (empty.services() != 0) {
                throw new IllegalStateException("the restarted ovs-vswitchd holds " + empty);
            }
        }

        @Override
        public void learn(int services) {
            if (flowsPerService > 0) {
                return;
            }
            String flows = ofctl("dump-flows");
            long perFirst = OvsCounts.flowsTo(flows, new ScaleService(0).clusterIp());
            long perLast = OvsCounts.flowsTo(flows, new ScaleService(services - 1).clusterIp());
            if (perFirst < 1 || perFirst != perLast) {
                throw new IllegalStateException("flows to the first Service's cluster IP: " + perFirst
                        + ", to the last one's: " + perLast);
            }
            flowsPerService = perFirst;
        }

        @Override
        public PlaneCounts expected(int services) {
            return new PlaneCounts(baseline.entries() + services * flowsPerService, baseline.services() + services);
        }

        @Override
        public String countsMeaning(int services) {
            return String.format(Locale.ROOT, "%d OpenFlow groups; %d flows (%d base + %d × %d)",
                    baseline.services() + services, expected(services).entries(), baseline.entries(), services,
                    flowsPerService);
        }

        @Override
        public void prepareChanges() {
            groups = OvsCounts.frontendGroups(ofctl("dump-flows"));
        }

        @Override
        public ChangeProbe probe(ScaleService service, String gone, int remaining) {
            Long group = groups.get(service.frontend());
            if (group == null) {
                throw new IllegalStateException("no SERVICE_LB flow to a group for " + service.frontend());
            }
            return new ChangeProbe() {
                private List<String> buckets = List.of();

                @Override
                public boolean done() {
                    buckets = OvsCounts.bucketTargets(ofctl("dump-groups", Long.toString(group)));
                    return buckets.size() == remaining && !buckets.contains(gone);
                }

                @Override
                public String lastSeen() {
                    return "group " + group + " has " + buckets.size() + " buckets "
                            + buckets.subList(0, Math.min(buckets.size(), 12));
                }
            };
        }

        @Override
        public Map<String, String> facts(String agentLog) {
            return Map.of();
        }

        /** {@code ovs-ofctl -O OpenFlow15 COMMAND unix:<mgmt> ARGS}, from this namespace (the socket is a file). */
        private String ofctl(String command, String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow15", "--no-names", command,
                    "unix:" + mgmt));
            argv.addAll(List.of(args));
            return HostCommand.capture(argv, OFCTL_TIMEOUT).check().stdout();
        }

        private long vswitchdPid() {
            Path file = node.sandbox().runDir().resolve("vswitchd.pid");
            try {
                return Long.parseLong(Files.readString(file).strip());
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }
    }

    // ------------------------------------------------------------------ iptables

    /**
     * The nat table of a kernel-data-plane node ({@code iptables-save -t nat} in its netns): one
     * {@code TRELLIS-SVC-} chain per Service and a {@code TRELLIS-SEP-} chain per Service and
     * endpoint; emptied with the backend's own uninstall of the Service chains.
     */
    final class Iptables implements ScalePlane {
        private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(300);
        private final AgentNode node;
        private final int endpoints;
        private Map<String, String> frontendChains = Map.of();
        private Map<String, String> sepTargets = Map.of();

        Iptables(AgentNode node, int endpoints) {
            this.node = requireNonNull(node, "node");
            this.endpoints = endpoints;
        }

        @Override
        public String name() {
            return "iptables";
        }

        @Override
        public List<String> profiledThreads() {
            return List.of("trellis-iptables-services", "trellis-services", "main");
        }

        @Override
        public PlaneCounts counts() {
            return IptablesNat.counts(save());
        }

        /** The CPU of the iptables-save/-restore and conntrack runs the agent waited for. */
        @Override
        public double cpuSeconds() {
            io.trellis.e2e.AgentProcess agent = node.agent();
            return agent == null || !agent.isAlive() ? 0 : ProcessCpu.childSeconds(agent.pid());
        }

        @Override
        public void clear() {
            node.removeServiceChains();
            PlaneCounts left = counts();
            if (left.services() != 0 || left.entries() != 0) {
                throw new IllegalStateException("after removing the Service chains the nat table holds " + left);
            }
        }

        @Override
        public void learn(int services) {
            // Nothing to learn: one SVC chain per Service, one SEP chain per Service and endpoint.
        }

        @Override
        public PlaneCounts expected(int services) {
            return new PlaneCounts((long) services * endpoints, services);
        }

        @Override
        public String countsMeaning(int services) {
            return String.format(Locale.ROOT, "%d `TRELLIS-SVC-` chains; %d `TRELLIS-SEP-` chains (%d × %d)", services,
                    (long) services * endpoints, services, endpoints);
        }

        @Override
        public void prepareChanges() {
            IptablesNat nat = IptablesNat.parse(save());
            frontendChains = nat.frontendChains();
            sepTargets = nat.sepTargets();
        }

        @Override
        public ChangeProbe probe(ScaleService service, String gone, int remaining) {
            String chain = frontendChains.get(service.frontend());
            if (chain == null) {
                throw new IllegalStateException("no TRELLIS-SERVICES rule to a SVC chain for " + service.frontend());
            }
            List<String> before = IptablesNat.jumps(listChain(chain), chain);
            List<String> goneSep = before.stream().filter(sep -> gone.equals(sepTargets.get(sep))).toList();
            if (goneSep.size() != 1) {
                throw new IllegalStateException(chain + " of " + service.frontend() + " jumps to " + before
                        + ", of which DNAT to " + gone + ": " + goneSep);
            }
            return new ChangeProbe() {
                private List<String> jumps = before;

                @Override
                public boolean done() {
                    jumps = IptablesNat.jumps(listChain(chain), chain);
                    return jumps.size() == remaining && !jumps.contains(goneSep.get(0));
                }

                @Override
                public String lastSeen() {
                    return chain + " jumps to " + jumps.size() + " SEP chains (the one of " + gone + ": "
                            + goneSep.get(0) + ")";
                }
            };
        }

        @Override
        public Map<String, String> facts(String agentLog) {
            Map<String, String> facts = new LinkedHashMap<>();
            long start = System.nanoTime();
            String save = save();
            double saveSeconds = (System.nanoTime() - start) / 1e9;
            IptablesNat nat = IptablesNat.parse(save);
            facts.put("nat table after the run", String.format(Locale.ROOT, "%d rules, %d SVC chains, %d SEP chains, "
                    + "%.1f MiB of iptables-save text", nat.rules(), nat.svcChains(), nat.sepChains(),
                    save.length() / 1048576.0));
            facts.put("one `iptables-save -t nat` of it", String.format(Locale.ROOT, "%.2f s", saveSeconds));
            facts.put("the proxy's syncs (its debug lines)", ProxySyncLog.parse(agentLog).summary());
            return facts;
        }

        /** {@code iptables-save -t nat} in the node's netns. */
        String save() {
            return HostCommand.capture(List.of("ip", "netns", "exec", node.netns(), "iptables-save", "-t", "nat"),
                    TOOL_TIMEOUT).check().stdout();
        }

        /** {@code iptables -t nat -S CHAIN}: one chain, not the whole table. */
        private String listChain(String chain) {
            return HostCommand.capture(List.of("ip", "netns", "exec", node.netns(), "iptables", "-w", "5", "-t", "nat",
                    "-S", chain), TOOL_TIMEOUT).check().stdout();
        }
    }
}
