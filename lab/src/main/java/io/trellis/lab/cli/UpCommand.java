package io.trellis.lab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "up", description = "Start the lab: API stand-in, node namespaces with OVS and the agent, lab kubelet.")
final class UpCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Option(names = "--nodes", defaultValue = "1", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Override
    public Integer call() {
        if (nodes > 1) {
            System.out.println("note: pods on different nodes cannot reach each other yet (no node route backend)");
        }
        parent.lab().up(nodes, parent.home());
        return 0;
    }
}
