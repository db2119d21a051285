package io.trellis.cli;

import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trellisctl get networkpolicystats}: the NetworkPolicy counters the agents report to the controller,
 * summed over the nodes, per policy rule (sessions = new connections the rule allowed, packets and bytes of
 * those connections) and per isolated pod (packets no rule allowed). Reads {@code GET /v1/policy/stats} on the
 * controller's agent API.
 */
@Command(name = "networkpolicystats", aliases = "netpolstats", mixinStandardHelpOptions = true,
        description = {"Show NetworkPolicy statistics from the controller: per policy rule the sessions (new"
                + " connections) it allowed with their packets and bytes, and per isolated pod the packets dropped"
                + " because no rule allowed them. Sums over all nodes of each agent's latest report (sent every"
                + " 10 s; counters restart when an agent re-installs its flows).",
                "Credentials (interim): the controller's agent API accepts only agent tokens, and any valid"
                + " node's token may read the statistics."},
        footer = {"", "Each of --controller, --ca-file, --token-file and --node defaults to its environment"
                + " variable: TRELLISCTL_CONTROLLER, TRELLISCTL_CA_FILE, TRELLISCTL_TOKEN_FILE, TRELLISCTL_NODE.",
                "Exit codes: 0 done, 1 the controller could not be asked or its answer read, 2 wrong usage."})
final class GetNetworkPolicyStatsCommand implements Callable<Integer> {

    /** Output formats. */
    enum Output { table, json }

    @Spec
    private CommandSpec spec;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "Only the policies and pods of this namespace (default: all namespaces).")
    private String namespace;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (the controller's JSON as sent). Default: ${DEFAULT-VALUE}.")
    private Output output;

    @Option(names = "--controller", paramLabel = "URL", defaultValue = "${env:TRELLISCTL_CONTROLLER}",
            description = "The controller's agent API, https://HOST:PORT (the agentApi.listen of its configuration;"
                    + " the agents' controller.address).")
    private String controller;

    @Option(names = "--ca-file", paramLabel = "FILE", defaultValue = "${env:TRELLISCTL_CA_FILE}",
            description = "PEM file of the CA that signed the controller's certificate (the agents' controller.caFile).")
    private Path caFile;

    @Option(names = "--token-file", paramLabel = "FILE", defaultValue = "${env:TRELLISCTL_TOKEN_FILE}",
            description = "A file holding NODE:TOKEN, or a node's bare agent token (the agents' controller.tokenFile)"
                    + " together with --node.")
    private Path tokenFile;

    @Option(names = "--node", paramLabel = "NAME", defaultValue = "${env:TRELLISCTL_NODE}",
            description = "The node whose token --token-file holds, when the file holds a bare token.")
    private String node;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Connect and answer timeout in seconds (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PolicyStatsClient.Answer answer = new PolicyStatsClient(access()).fetch(Optional.ofNullable(namespace));
        PrintWriter out = spec.commandLine().getOut();
        if (output == Output.json) {
            out.println(answer.json().strip());
        } else {
            print(out, answer.statistics());
        }
        out.flush();
        return 0;
    }

    private ControllerAccess access() {
        String where = missing();
        if (!where.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing " + where);
        }
        if (namespace != null && namespace.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--namespace must not be empty");
        }
        URI uri;
        try {
            uri = new URI(controller.trim());
        } catch (URISyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--controller '" + controller
                    + "' is not a URL: " + e.getMessage());
        }
        try {
            return new ControllerAccess(uri, caFile, tokenFile, Optional.ofNullable(node).filter(n -> !n.isBlank()),
                    Duration.ofSeconds(timeoutSeconds));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The connection settings given neither as option nor in the environment. */
    private String missing() {
        StringBuilder what = new StringBuilder();
        if (controller == null || controller.isBlank()) {
            what.append("--controller URL (or TRELLISCTL_CONTROLLER)");
        }
        if (caFile == null) {
            what.append(what.isEmpty() ? "" : ", ").append("--ca-file FILE (or TRELLISCTL_CA_FILE)");
        }
        if (tokenFile == null) {
            what.append(what.isEmpty() ? "" : ", ").append("--token-file FILE (or TRELLISCTL_TOKEN_FILE)");
        }
        return what.toString();
    }

    private void print(PrintWriter out, PolicyStatistics statistics) {
        String scope = namespace == null ? "" : " in namespace " + namespace;
        List<RuleCounters> rules = statistics.rules();
        if (rules.isEmpty()) {
            out.println("no NetworkPolicy rule statistics" + scope);
        } else {
            TextTable table = new TextTable(
                    List.of("NAMESPACE", "POLICY", "DIRECTION", "RULE", "SESSIONS", "PACKETS", "BYTES"), 3, 4, 5, 6);
            for (RuleCounters r : rules) {
                table.row(r.ref().namespace(), r.ref().name(), direction(r.direction()), r.index(), r.sessions(),
                        r.packets(), r.bytes());
            }
            table.print(out);
        }
        List<IsolationDropCounters> drops = statistics.isolationDrops();
        if (!drops.isEmpty()) {
            out.println();
            out.println("Isolation drops (packets of isolated pods that no rule allowed):");
            TextTable table = new TextTable(List.of("NAMESPACE", "POD", "DIRECTION", "PACKETS", "BYTES"), 3, 4);
            for (IsolationDropCounters d : drops) {
                table.row(d.pod().namespace(), d.pod().name(), direction(d.direction()), d.packets(), d.bytes());
            }
            table.print(out);
        }
    }

    /** As NetworkPolicy's policyTypes spell it. */
    private static String direction(Direction direction) {
        return direction == Direction.INGRESS ? "Ingress" : "Egress";
    }
}
