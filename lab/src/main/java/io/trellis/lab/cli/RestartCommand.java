package io.trellis.lab.cli;

import io.trellis.lab.Lab;
import io.trellis.lab.LabException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "restart", description = "Stop a component if it runs and start it again: controller, or agent "
        + "--node N (e.g. after killing it to watch what survives).")
final class RestartCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Parameters(index = "0", paramLabel = "COMPONENT", description = "controller or agent.")
    String component;

    @Option(names = "--node", description = "The agent's node, as a number or a name (default: the first node).")
    String node;

    @Override
    public Integer call() {
        Lab lab = parent.lab();
        switch (component) {
            case "controller" -> {
                if (node != null) {
                    throw new LabException(2, "--node is for `restart agent`; the controller is one per lab");
                }
                lab.restartController();
            }
            case "agent" -> lab.restartAgent(node == null ? lab.requireUp().nodes().get(0).name()
                    : node.matches("\\d+") ? "node-" + node : node);
            default -> throw new LabException(2, "unknown component '" + component + "' (controller, agent)");
        }
        return 0;
    }
}
