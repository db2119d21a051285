package io.trellis.lab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "up", description = "Start the lab: API stand-in, the Trellis controller, node namespaces with the "
        + "agent running the chosen data plane (overlay between the nodes), lab kubelet.")
final class UpCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Option(names = "--nodes", defaultValue = "2", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--backend", defaultValue = "ovs", paramLabel = "BACKEND",
            description = "The agents' data plane: ovs (OVS on every node: pod ports, Geneve/VXLAN tunnels, Service "
                    + "proxy and NetworkPolicy in OpenFlow) or iptables (kernel only: Linux bridge, kernel VXLAN, "
                    + "iptables; no OVS) (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--tunnel", paramLabel = "TYPE",
            description = "Overlay encapsulation between the nodes: geneve or vxlan with ovs (default geneve), vxlan "
                    + "with iptables.")
    String tunnel;

    @Option(names = "--network-policy", paramLabel = "MODE",
            description = "How NetworkPolicy is enforced: by the backend (the controller computes it and streams it "
                    + "to the agents over TLS, which enforce it: ovs with --backend ovs, iptables with --backend "
                    + "iptables; the default) or none.")
    String networkPolicy;

    @Override
    public Integer call() {
        parent.lab().up(nodes, backend, tunnel, networkPolicy, parent.home());
        return 0;
    }
}
