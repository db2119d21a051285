package io.trellis.lab.cli;

import io.trellis.lab.Lab;
import io.trellis.lab.LabException;
import io.trellis.lab.LabPaths;
import io.trellis.lab.LabState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "logs", description = "Print a component's log: apiserver, controller, kubelet, agent, ovs-vswitchd, "
        + "ovsdb-server (the last two with --backend ovs).")
final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Parameters(index = "0", paramLabel = "COMPONENT")
    String component;

    @Option(names = "--node", description = "The node, as a number or a name (default: the first node).")
    String node;

    @Override
    public Integer call() throws Exception {
        Lab lab = parent.lab();
        LabPaths paths = lab.paths();
        LabState state = LabState.load(paths.stateFile()).orElseThrow(() -> LabException.notUp(paths));
        String nodeName = node == null ? state.nodes().get(0).name() : node.matches("\\d+") ? "node-" + node : node;
        if (state.node(nodeName).isEmpty()) {
            throw new LabException(2, "no node '" + node + "' in the lab (nodes: "
                    + state.nodes().stream().map(LabState.NodeState::name).toList() + ")");
        }
        Path file = switch (component) {
            case "apiserver" -> paths.apiServerLog();
            case "controller" -> paths.controllerLog();
            case "kubelet" -> paths.daemonLog();
            case "agent" -> paths.agentLog(nodeName);
            case "ovs-vswitchd", "ovsdb-server" -> {
                if (!state.labBackend().runsOvs()) {
                    throw new LabException(2, "the lab runs the " + state.backend() + " backend: its nodes have no "
                            + component);
                }
                yield paths.ovsDir(nodeName).resolve(component + ".log");
            }
            default -> throw new LabException(2, "unknown component '" + component
                    + "' (apiserver, controller, kubelet, agent, ovs-vswitchd, ovsdb-server)");
        };
        if (!Files.exists(file)) {
            throw new LabException("no log yet: " + file);
        }
        try (var in = Files.newInputStream(file)) {
            in.transferTo(System.out);
        }
        System.out.flush();
        return 0;
    }
}
