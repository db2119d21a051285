package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lab up --backend`: what each backend accepts and defaults to, and lab.json with and without a backend. */
class LabBackendTest {
    @TempDir
    Path dir;

    @Test
    void ovsOffersBothTunnelsAndEnforcesNetworkPolicyByDefault() {
        LabBackend ovs = LabBackend.named("ovs");
        assertThat(ovs.runsOvs()).isTrue();
        assertThat(ovs.defaultTunnel()).isEqualTo("geneve");
        assertThat(ovs.tunnelTypes()).containsExactly("geneve", "vxlan");
        assertThat(ovs.defaultNetworkPolicy()).isEqualTo("ovs");
        assertThat(ovs.networkPolicyModes()).containsExactly("ovs", "none");
        assertThat(List.of(ovs.podInterface(), ovs.nodeRoutes(), ovs.serviceProxy())).containsOnly("ovs");
    }

    @Test
    void iptablesRunsTheKernelBackendsOverVxlanWithoutOvs() {
        LabBackend iptables = LabBackend.named("iptables");
        assertThat(iptables.runsOvs()).isFalse();
        assertThat(iptables.podInterface()).isEqualTo("linux-bridge");
        assertThat(iptables.nodeRoutes()).isEqualTo("vxlan");
        assertThat(iptables.tunnelTypes()).containsExactly("vxlan");
        iptables.requireTunnelType("vxlan");
        assertThatThrownBy(() -> iptables.requireTunnelType("geneve")).isInstanceOf(LabException.class)
                .hasMessage("--tunnel must be one of [vxlan] with --backend iptables, got 'geneve'")
                .satisfies(e -> assertThat(((LabException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void iptablesEnforcesNetworkPolicyWithItsOwnEnforcerByDefault() {
        LabBackend iptables = LabBackend.IPTABLES;
        assertThat(iptables.defaultNetworkPolicy()).isEqualTo("iptables");
        assertThat(iptables.networkPolicyModes()).containsExactly("iptables", "none");
        iptables.requireNetworkPolicyMode("iptables");
        iptables.requireNetworkPolicyMode("none");
        assertThatThrownBy(() -> iptables.requireNetworkPolicyMode("ovs")).isInstanceOf(LabException.class)
                .hasMessage("--network-policy must be one of [iptables, none] with --backend iptables, got 'ovs'");
    }

    @Test
    void anUnknownBackendIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> LabBackend.named("cilium")).isInstanceOf(LabException.class)
                .hasMessage("--backend must be one of [ovs, iptables], got 'cilium'");
    }

    @Test
    void labJsonKeepsTheBackendAndAnOldOneWithoutItReadsAsOvs() throws Exception {
        Path file = dir.resolve("lab.json");
        LabState iptables = new LabState("tl00aa", dir, "iptables", "vxlan", 11, 12, 13, "none", 0,
                List.of(new LabState.NodeState("node-1", "tl00aa-node-1", "10.250.0.1", 14)));
        iptables.save(file);
        assertThat(LabState.load(file)).contains(iptables);
        assertThat(LabState.load(file).orElseThrow().labBackend()).isEqualTo(LabBackend.IPTABLES);

        // Written before `--backend` existed: no "backend" key.
        Files.writeString(file, """
                {"prefix":"tl00bb","home":"%s","tunnelType":"geneve","apiServerPid":1,"controllerPid":2,
                 "daemonPid":3,"networkPolicy":"ovs","agentApiPort":40000,
                 "nodes":[{"name":"node-1","netns":"tl00bb-node-1","internalIp":"10.250.0.1","agentPid":4}]}
                """.formatted(dir));
        LabState old = LabState.load(file).orElseThrow();
        assertThat(old.backend()).isEqualTo("ovs");
        assertThat(old.labBackend().runsOvs()).isTrue();
        assertThat(old.agentApiPort()).isEqualTo(40000);
    }

    @Test
    void labStateRefusesAnUnknownBackendAndAPortWithoutPolicy() {
        List<LabState.NodeState> nodes = List.of();
        assertThatThrownBy(() -> new LabState("tl00cc", dir, "calico", "vxlan", 0, 0, 0, "none", 0, nodes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backend must be one of [ovs, iptables], got 'calico'");
        assertThatThrownBy(() -> new LabState("tl00cc", dir, "iptables", "vxlan", 0, 0, 0, "none", 40000, nodes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agentApiPort 40000");
    }
}
