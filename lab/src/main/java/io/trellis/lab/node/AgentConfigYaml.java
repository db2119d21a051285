package io.trellis.lab.node;

import io.trellis.lab.LabBackend;
import io.trellis.lab.LabController;
import io.trellis.lab.LabPaths;
import io.trellis.lab.LabState;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The text of a lab node's {@code trellis-agent.yaml} for the lab's backend. Common to every backend: the fixed
 * node name, host-local IPAM, the pod CIDR from the Node (the controller allocates it), MTU auto (the uplink
 * {@code eth0} minus the overlay's overhead), state/run/CNI socket under the node directory and, with NetworkPolicy
 * enforced, the controller's policy stream (its address, the lab CA, the node's token).
 *
 * @param paths    the lab's files
 * @param nodeName the node
 * @param state    the lab: backend, overlay, NetworkPolicy mode and the controller's agent API port
 */
public record AgentConfigYaml(LabPaths paths, String nodeName, LabState state) {
    /** The Linux bridge of the iptables backend's nodes (linux-bridge's default, written out for the reader). */
    public static final String LINUX_BRIDGE = "trellis0";
    /** The iptables backend's VXLAN device (the vxlan backend's default, likewise). */
    public static final String VXLAN_DEVICE = "trellis.vxlan";
    public static final int VXLAN_PORT = 4789;
    public static final int VXLAN_VNI = 1;

    public AgentConfigYaml {
        Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(state, "state");
    }

    public String render() {
        LabBackend backend = state.labBackend();
        Path dir = paths.nodeDir(nodeName);
        String yaml = """
                # Written by `trellis lab up` for lab node %1$s (backend %2$s).
                nodeName:
                  from: fixed
                  value: %1$s
                backends:
                  ipam: host-local
                  podInterface: %3$s
                  nodeRoutes: %4$s
                  serviceProxy: %5$s
                  policy: %6$s
                network:
                  mtu: auto
                  podCidr: node-spec
                  tunnelType: %7$s
                paths:
                  stateDir: %8$s
                  runDir: %9$s
                  cniSocket: %10$s
                settings:
                """.formatted(nodeName, backend.configName(), backend.podInterface(), backend.nodeRoutes(),
                backend.serviceProxy(), state.networkPolicy(), state.tunnelType(), dir.resolve("state"),
                dir.resolve("run"), paths.cniSocket(nodeName));
        yaml += switch (backend) {
            // No netdev.uplinkInterface: the agent finds the link holding the Node's InternalIP (eth0) and moves that
            // address onto br-ex, as the userspace datapath's native tunnelling needs.
            case OVS -> """
                      ovs:
                        datapathType: netdev
                        integrationBridge: br-int
                        uplinkBridge: br-ex
                        ovsdbSocket: %s
                        runDir: %s
                    """.formatted(paths.ovsDir(nodeName).resolve("db.sock"), paths.ovsDir(nodeName));
            // eth0 keeps the InternalIP: the VXLAN device's local address and lower device. The cluster CIDR keeps
            // the source address of pod traffic to other nodes' pods (only what leaves it is masqueraded).
            case IPTABLES -> """
                      linux-bridge:
                        bridge: %s
                        clusterCidr: %s
                        masquerade: true
                      vxlan:
                        device: %s
                        vni: %d
                        port: %d
                        hostGateway: false
                    """.formatted(LINUX_BRIDGE, LabController.CLUSTER_CIDR, VXLAN_DEVICE, VXLAN_VNI, VXLAN_PORT);
        };
        if (state.agentApiPort() > 0) {
            // The controller's agent API, forwarded by the lab daemon to 127.0.0.1 inside this namespace.
            yaml += """
                    controller:
                      address: https://127.0.0.1:%d
                      caFile: %s
                      tokenFile: %s
                    """.formatted(state.agentApiPort(), paths.caCertificate(), paths.agentToken(nodeName));
        }
        return yaml;
    }
}
