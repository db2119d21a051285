package io.trellis.lab.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.config.AgentConfig;
import io.trellis.agent.config.AgentConfigLoader;
import io.trellis.iptables.bridge.BridgeSettings;
import io.trellis.iptables.vxlan.VxlanSettings;
import io.trellis.lab.LabController;
import io.trellis.lab.LabPaths;
import io.trellis.lab.LabState;
import io.trellis.spi.model.IpPrefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent configuration a lab node gets, read back by the agent's own loader with the backends found on the
 * class path (as the agent does), for each lab backend.
 */
class AgentConfigYamlTest {
    @TempDir
    Path dir;

    private final AgentConfigLoader loader = new AgentConfigLoader(BackendRegistry.discover(getClass().getClassLoader()));

    private static LabState lab(String backend, String tunnel, String networkPolicy, int agentApiPort) {
        return new LabState("tl1234", Path.of("/src"), backend, tunnel, 0, 0, 0, networkPolicy, agentApiPort,
                List.of(new LabState.NodeState("node-2", "tl1234-node-2", "10.250.0.2", 0)));
    }

    private AgentConfig load(LabState state) throws IOException {
        LabPaths paths = new LabPaths(dir);
        Path file = dir.resolve("trellis-agent.yaml");
        Files.writeString(file, new AgentConfigYaml(paths, "node-2", state).render());
        return loader.load(file);
    }

    @Test
    void iptablesNodesRunTheKernelBackendsWithTheClusterCidrAndNoOvs() throws IOException {
        AgentConfig config = load(lab("iptables", "vxlan", "none", 0));

        assertThat(config.backends().ipam()).isEqualTo("host-local");
        assertThat(config.backends().podInterface()).isEqualTo("linux-bridge");
        assertThat(config.backends().nodeRoutes()).contains("vxlan");
        assertThat(config.backends().serviceProxy()).contains("iptables");
        // --network-policy none: no policy backend and no controller section.
        assertThat(config.backends().policy()).isEmpty();
        assertThat(config.controller()).isEmpty();
        assertThat(config.ovs()).isEmpty();
        assertThat(config.paths().cniSocket()).isEqualTo(dir.resolve("nodes/node-2/cni.sock"));

        BridgeSettings bridge = BridgeSettings.from(config.settingsOf("linux-bridge"));
        assertThat(bridge.bridge()).isEqualTo(AgentConfigYaml.LINUX_BRIDGE);
        assertThat(bridge.clusterCidr()).contains(IpPrefix.parse(LabController.CLUSTER_CIDR));
        assertThat(bridge.masquerade()).isTrue();
        VxlanSettings vxlan = VxlanSettings.from(config.settingsOf("vxlan"));
        assertThat(vxlan).isEqualTo(new VxlanSettings(false, AgentConfigYaml.VXLAN_VNI, AgentConfigYaml.VXLAN_PORT,
                AgentConfigYaml.VXLAN_DEVICE));
    }

    @Test
    void iptablesNodesEnforcePolicyWithTheControllersStream() throws IOException {
        AgentConfig config = load(lab("iptables", "vxlan", "iptables", 40002));

        assertThat(config.backends().serviceProxy()).contains("iptables");
        assertThat(config.backends().policy()).contains("iptables");
        assertThat(config.controller().orElseThrow().address().toString()).isEqualTo("https://127.0.0.1:40002");
        assertThat(config.ovs()).isEmpty();
    }

    @Test
    void ovsNodesRunOvsWithTheirOwnDaemonsAndThePolicyStream() throws IOException {
        AgentConfig config = load(lab("ovs", "geneve", "ovs", 40001));

        assertThat(config.backends().podInterface()).isEqualTo("ovs");
        assertThat(config.backends().nodeRoutes()).contains("ovs");
        assertThat(config.backends().serviceProxy()).contains("ovs");
        assertThat(config.backends().policy()).contains("ovs");
        assertThat(config.controller().orElseThrow().address().toString()).isEqualTo("https://127.0.0.1:40001");
        assertThat(config.controller().orElseThrow().caFile()).isEqualTo(dir.resolve("tls/ca.crt"));
        assertThat(config.ovs().orElseThrow().ovsdbSocket()).isEqualTo(dir.resolve("nodes/node-2/ovs/db.sock"));
        assertThat(config.network().tunnelType().configName()).isEqualTo("geneve");
        assertThat(config.settings()).doesNotContainKeys("linux-bridge", "vxlan");
    }

    @Test
    void ovsWithoutPolicyHasNoControllerSection() throws IOException {
        AgentConfig config = load(lab("ovs", "vxlan", "none", 0));

        assertThat(config.backends().policy()).isEmpty();
        assertThat(config.controller()).isEqualTo(Optional.empty());
        assertThat(config.network().tunnelType().configName()).isEqualTo("vxlan");
    }
}
