package io.trellis.lab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "up", description = "Start the lab: API stand-in, the Trellis controller, node namespaces with OVS "
        + "and the agent (overlay between the nodes), lab kubelet.")
final class UpCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Option(names = "--nodes", defaultValue = "2", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--tunnel", defaultValue = "geneve", paramLabel = "TYPE",
            description = "Overlay encapsulation between the nodes: geneve or vxlan (default: ${DEFAULT-VALUE}).")
    String tunnel;

    @Option(names = "--network-policy", defaultValue = "ovs", paramLabel = "MODE",
            description = "How NetworkPolicy is enforced: ovs (the controller computes it and streams it to the "
                    + "agents over TLS, which enforce it in OVS) or none (default: ${DEFAULT-VALUE}).")
    String networkPolicy;

    @Override
    public Integer call() {
        parent.lab().up(nodes, tunnel, networkPolicy, parent.home());
        return 0;
    }
}
