package io.trellis.lab.cli;

import io.trellis.lab.Lab;
import io.trellis.lab.LabException;
import io.trellis.lab.LabState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./trellis lab stats}: {@code trellisctl get networkpolicystats} pointed at the lab's controller, with
 * the lab's CA and a node's agent token (the interim credential the controller's agent API accepts). Runs
 * {@code cli/bin/trellisctl} of the lab's source tree, so what it shows is what an admin's trellisctl shows.
 */
@Command(name = "stats", description = "NetworkPolicy statistics from the lab's controller (trellisctl get "
        + "networkpolicystats with the lab's address, CA and a node's token). Needs up --network-policy ovs.")
final class StatsCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Only this namespace.")
    String namespace;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (default) or json.")
    String output;

    @Option(names = "--node", description = "Whose agent token to use, as a number or a name (default: the first "
            + "node; any node's token may read the statistics).")
    String node;

    @Override
    public Integer call() throws Exception {
        Lab lab = parent.lab();
        LabState state = lab.requireUp();
        if (state.agentApiPort() == 0) {
            throw new LabException("the lab runs without NetworkPolicy (up --network-policy " + state.networkPolicy()
                    + "): the controller serves no statistics");
        }
        String nodeName = node == null ? state.nodes().get(0).name() : node.matches("\\d+") ? "node-" + node : node;
        if (state.node(nodeName).isEmpty()) {
            throw new LabException(2, "no node '" + node + "' in the lab (nodes: "
                    + state.nodes().stream().map(LabState.NodeState::name).toList() + ")");
        }
        Path trellisctl = state.home().resolve("cli/bin/trellisctl");
        if (!Files.isExecutable(trellisctl)) {
            throw new LabException("no " + trellisctl + " (build with ./trellis build)");
        }
        List<String> command = new ArrayList<>(List.of(trellisctl.toString(), "get", "networkpolicystats",
                "--controller", "https://127.0.0.1:" + state.agentApiPort(),
                "--ca-file", lab.paths().caCertificate().toString(),
                "--token-file", lab.paths().agentToken(nodeName).toString(), "--node", nodeName));
        if (namespace != null) {
            command.addAll(List.of("--namespace", namespace));
        }
        if (output != null) {
            command.addAll(List.of("--output", output));
        }
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
