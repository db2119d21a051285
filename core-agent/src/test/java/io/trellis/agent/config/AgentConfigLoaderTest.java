package io.trellis.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentConfigLoaderTest {

    /** The test backends of META-INF/services: ovs (podInterface, nodeRoutes, serviceProxy), host-local (ipam), test-proxy. */
    private final AgentConfigLoader loader =
            new AgentConfigLoader(BackendRegistry.discover(getClass().getClassLoader()));

    private static final String MINIMAL = """
            backends:
              ipam: host-local
              podInterface: ovs
            """;

    private AgentConfig parse(String yaml) {
        return loader.parse(yaml, "test.yaml");
    }

    private List<String> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.errors();
    }

    @Test
    void minimalConfigTakesTheDocumentedDefaults() {
        AgentConfig config = parse(MINIMAL);

        assertThat(config.nodeName()).isEqualTo(new NodeNameSource.Env("NODE_NAME"));
        assertThat(config.controller()).isEmpty();
        assertThat(config.backends()).isEqualTo(
                new Backends("host-local", "ovs", Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(config.network()).isEqualTo(
                new NetworkConfig(new Mtu.Auto(), new PodCidrSource.NodeSpec(), TunnelType.GENEVE));
        assertThat(config.paths()).isEqualTo(new PathsConfig(Path.of("/var/lib/trellis"), Path.of("/var/run/trellis"),
                Path.of("/var/run/trellis/cni.sock")));
        assertThat(config.ovs()).contains(new OvsConfig(DatapathType.SYSTEM, "br-int", "br-ex",
                Path.of("/var/run/openvswitch/db.sock"), Path.of("/var/run/openvswitch"), Optional.empty()));
        // The OVS backend gets the effective values even though the file had no settings.ovs.
        assertThat(config.settingsOf("ovs").toMap()).containsEntry("datapathType", "system")
                .containsEntry("integrationBridge", "br-int");
        assertThat(config.settingsOf("host-local").isEmpty()).isTrue();
    }

    @Test
    void everyFieldSetReadsBackAsWritten() {
        AgentConfig config = parse("""
                nodeName:
                  from: fixed
                  value: node-7.example
                backends:
                  ipam: host-local
                  podInterface: ovs
                  nodeRoutes: none
                  serviceProxy: test-proxy
                  policy: test-proxy
                network:
                  mtu: 1450
                  podCidr: [10.244.7.0/24, "fd00:10:244:7::/64"]
                  tunnelType: vxlan
                paths:
                  stateDir: /srv/trellis/state
                  runDir: /run/trellis
                  cniSocket: /run/trellis/cni.sock
                controller:
                  address: https://trellis-controller.kube-system.svc:10349
                  caFile: /srv/trellis/tls/ca.crt
                  tokenFile: /srv/trellis/agent-token
                settings:
                  ovs:
                    datapathType: netdev
                    integrationBridge: br-pods
                    uplinkBridge: br-up
                    ovsdbSocket: /run/ovs/db.sock
                    runDir: /run/ovs
                    netdev:
                      uplinkInterface: eth1
                      pmdCpuMask: 0x3
                  host-local:
                    reserved: 4
                  test-proxy:
                    mode: fast
                """);

        assertThat(config.nodeName()).isEqualTo(new NodeNameSource.Fixed("node-7.example"));
        assertThat(config.backends()).isEqualTo(new Backends("host-local", "ovs", Optional.empty(),
                Optional.of("test-proxy"), Optional.of("test-proxy")));
        assertThat(config.network()).isEqualTo(new NetworkConfig(new Mtu.Fixed(1450),
                new PodCidrSource.Fixed(List.of(IpPrefix.parse("10.244.7.0/24"), IpPrefix.parse("fd00:10:244:7::/64"))),
                TunnelType.VXLAN));
        assertThat(config.paths()).isEqualTo(new PathsConfig(Path.of("/srv/trellis/state"), Path.of("/run/trellis"),
                Path.of("/run/trellis/cni.sock")));
        assertThat(config.controller()).contains(new ControllerConfig(
                java.net.URI.create("https://trellis-controller.kube-system.svc:10349"), Path.of("/srv/trellis/tls/ca.crt"),
                Path.of("/srv/trellis/agent-token")));
        assertThat(config.ovs()).contains(new OvsConfig(DatapathType.NETDEV, "br-pods", "br-up",
                Path.of("/run/ovs/db.sock"), Path.of("/run/ovs"),
                Optional.of(new NetdevOptions(Optional.of("eth1"), Optional.of("0x3")))));
        assertThat(config.settingsOf("host-local").integer("reserved")).hasValue(4);
        assertThat(config.settingsOf("test-proxy").string("mode")).contains("fast");
        assertThat(config.settingsOf("ovs").section("netdev").orElseThrow().string("pmdCpuMask")).contains("0x3");
        assertThat(config.settingsOf("ovs").path()).isEqualTo("settings.ovs");
    }

    @Test
    void nodeNameFromHostnameAndSingleFixedCidr() {
        AgentConfig config = parse(MINIMAL + """
                nodeName:
                  from: hostname
                network:
                  podCidr: 10.244.0.0/16
                """);
        assertThat(config.nodeName()).isEqualTo(new NodeNameSource.Hostname());
        assertThat(config.network().podCidr()).isEqualTo(new PodCidrSource.Fixed(List.of(IpPrefix.parse("10.244.0.0/16"))));
    }

    @Test
    void unknownKeysAreRejectedAtEveryLevel() {
        assertThat(errors(MINIMAL + """
                nodname: x
                network:
                  mtuu: 1400
                settings:
                  ovs:
                    bridge: br0
                  host-local:
                    rangeStart: 10.0.0.10
                """)).containsExactly(
                "nodname: unknown key (known: nodeName, backends, network, paths, controller, settings)",
                "network.mtuu: unknown key (known: mtu, podCidr, tunnelType)",
                "settings.ovs.bridge: unknown key (known: datapathType, integrationBridge, uplinkBridge, ovsdbSocket, "
                        + "runDir, netdev)",
                "settings.host-local.rangeStart: unknown key (known: dataDir, reserved)");
    }

    @Test
    void wrongTypesNameTheFieldAndTheValue() {
        assertThat(errors("""
                backends:
                  ipam: host-local
                  podInterface: [ovs]
                paths:
                  stateDir: 5
                  runDir: true
                network: fast
                nodeName:
                  from: env
                  env: 12
                """)).containsExactly(
                "nodeName.env: expected a string, got integer 12",
                "backends.podInterface: expected a string, got a list",
                "network: expected a section (key: value lines), got string 'fast'",
                "paths.stateDir: expected a string, got integer 5",
                "paths.runDir: expected a string, got boolean true");
    }

    @Test
    void unknownBackendListsTheAvailableOnes() {
        assertThat(errors("""
                backends:
                  ipam: host-local
                  podInterface: ovz
                """)).containsExactly("backends.podInterface: unknown backend 'ovz' (available: host-local, ovs, test-proxy)");
    }

    @Test
    void aConcernGivenToABackendThatDoesNotProvideItIsRejected() {
        assertThat(errors(MINIMAL + "  serviceProxy: host-local\n"))
                .containsExactly("backends.serviceProxy: backend 'host-local' does not provide serviceProxy (it provides: ipam)");
        assertThat(errors("""
                backends:
                  ipam: ovs
                  podInterface: ovs
                """)).containsExactly("backends.ipam: backend 'ovs' does not provide ipam (it provides: podInterface, nodeRoutes, serviceProxy)");
    }

    @Test
    void requiredConcernsCannotBeMissingOrNone() {
        assertThat(errors("""
                backends:
                  podInterface: none
                """)).containsExactly(
                "backends.ipam: required (available: host-local, ovs, test-proxy)",
                "backends.podInterface: 'none' is not allowed: every pod needs podInterface (available: host-local, ovs, "
                        + "test-proxy)");
        assertThat(errors("network:\n  mtu: auto\n"))
                .containsExactly("backends: required: the backend of each concern (available: host-local, ovs, test-proxy)");
    }

    @Test
    void netdevSettingsWithTheSystemDatapathAreRejected() {
        assertThat(errors(MINIMAL + """
                settings:
                  ovs:
                    datapathType: system
                    netdev:
                      uplinkInterface: eth0
                """)).containsExactly("settings.ovs.netdev: only valid with datapathType netdev (datapathType is 'system')");
        // The default datapath is system too.
        assertThat(errors(MINIMAL + """
                settings:
                  ovs:
                    netdev:
                      pmdCpuMask: "0x3"
                """)).containsExactly("settings.ovs.netdev: only valid with datapathType netdev (datapathType is 'system')");
    }

    @Test
    void ovsValuesAreChecked() {
        assertThat(errors(MINIMAL + """
                settings:
                  ovs:
                    datapathType: dpdk
                    integrationBridge: br-ex
                    ovsdbSocket: run/db.sock
                """)).containsExactly(
                "settings.ovs.datapathType: expected system or netdev, got 'dpdk'",
                "settings.ovs.uplinkBridge: must differ from integrationBridge, both are 'br-ex'",
                "settings.ovs.ovsdbSocket: must be an absolute path, got 'run/db.sock'");
        assertThat(errors(MINIMAL + """
                settings:
                  ovs:
                    datapathType: netdev
                    integrationBridge: br-integration-0
                    netdev:
                      uplinkInterface: eth 0
                      pmdCpuMask: all
                """)).containsExactly(
                "settings.ovs.integrationBridge: 'br-integration-0' is not a valid interface name (1..15 letters, digits, "
                        + "'-', '_', '.')",
                "settings.ovs.netdev.uplinkInterface: 'eth 0' is not a valid interface name (1..15 letters, digits, "
                        + "'-', '_', '.')",
                "settings.ovs.netdev.pmdCpuMask: expected a hex CPU mask such as 0x3, got string 'all'");
    }

    @Test
    void mtuMustBeAutoOrInRange() {
        assertThat(errors(MINIMAL + "network:\n  mtu: 70000\n")).containsExactly("network.mtu: must be 1280..65535, got 70000");
        assertThat(errors(MINIMAL + "network:\n  mtu: 1000\n")).containsExactly("network.mtu: must be 1280..65535, got 1000");
        assertThat(errors(MINIMAL + "network:\n  mtu: big\n"))
                .containsExactly("network.mtu: expected 'auto' or an integer, got string 'big'");
        assertThat(errors(MINIMAL + "network:\n  mtu: 1450.5\n"))
                .containsExactly("network.mtu: expected 'auto' or an integer, got number 1450.5");
        assertThat(parse(MINIMAL + "network:\n  mtu: 1280\n").network().mtu()).isEqualTo(new Mtu.Fixed(1280));
        assertThat(parse(MINIMAL + "network:\n  mtu: 65535\n").network().mtu()).isEqualTo(new Mtu.Fixed(65535));
    }

    @Test
    void tunnelTypeMustBeGeneveOrVxlan() {
        assertThat(errors(MINIMAL + "network:\n  tunnelType: gre\n"))
                .containsExactly("network.tunnelType: expected geneve or vxlan, got 'gre'");
    }

    @Test
    void podCidrMustBeNodeSpecOrCidrs() {
        assertThat(errors(MINIMAL + "network:\n  podCidr: 10.244.1.5/24\n"))
                .containsExactly("network.podCidr: 10.244.1.5/24 has host bits set (the network is 10.244.1.0/24)");
        assertThat(errors(MINIMAL + "network:\n  podCidr: [10.244.1.0/24, 10.245.1.0/24]\n"))
                .containsExactly("network.podCidr: at most one CIDR per IP family, got [10.244.1.0/24, 10.245.1.0/24]");
        assertThat(errors(MINIMAL + "network:\n  podCidr: [10.244.1.0/24, node-spec, 7]\n")).containsExactly(
                "network.podCidr[1]: 'node-spec' is not a CIDR (address/length)",
                "network.podCidr[2]: expected a CIDR, got integer 7");
        assertThat(errors(MINIMAL + "network:\n  podCidr: my-pods.example/24\n"))
                .containsExactly("network.podCidr: 'my-pods.example/24' does not start with a numeric IP address");
    }

    @Test
    void nodeNameFieldsMustMatchTheSource() {
        assertThat(errors(MINIMAL + "nodeName:\n  from: env\n  value: node-1\n"))
                .containsExactly("nodeName.value: only valid with from: fixed (from is 'env')");
        assertThat(errors(MINIMAL + "nodeName:\n  from: fixed\n"))
                .containsExactly("nodeName.value: required with from: fixed");
        assertThat(errors(MINIMAL + "nodeName:\n  from: hostname\n  env: HOST\n"))
                .containsExactly("nodeName.env: only valid with from: env (from is 'hostname')");
        assertThat(errors(MINIMAL + "nodeName:\n  from: fixed\n  value: Node_1\n"))
                .containsExactly("nodeName.value: 'Node_1' is not a valid Node name (an RFC 1123 DNS subdomain)");
        assertThat(errors(MINIMAL + "nodeName:\n  from: dns\n"))
                .containsExactly("nodeName.from: expected env, hostname or fixed, got 'dns'");
    }

    @Test
    void pathsMustBeAbsoluteAndSocketsShortEnough() {
        String longSocket = "/run/" + "d".repeat(100) + "/cni.sock";
        assertThat(errors(MINIMAL + "paths:\n  stateDir: var/lib/trellis\n  cniSocket: " + longSocket + "\n")).containsExactly(
                "paths.stateDir: must be an absolute path, got 'var/lib/trellis'",
                "paths.cniSocket: a Unix socket path is at most 107 bytes, '" + longSocket + "' has 114");
    }

    @Test
    void settingsMustBelongToAUsedKnownBackend() {
        assertThat(errors(MINIMAL + """
                settings:
                  calico:
                    x: 1
                  test-proxy:
                    mode: fast
                  host-local: 3
                """)).containsExactly(
                "settings.calico: unknown backend 'calico' (available: host-local, ovs, test-proxy)",
                "settings.test-proxy: backend 'test-proxy' is not selected for any concern under backends",
                "settings.host-local: expected a section (key: value lines), got integer 3");
    }

    @Test
    void backendSettingsWithoutValueOrOfUnsupportedTypeAreRejected() {
        assertThat(errors(MINIMAL + """
                settings:
                  host-local:
                    reserved:
                    dataDir: 2024-01-01
                """)).containsExactly(
                "settings.host-local.reserved: has no value",
                "settings.host-local.dataDir: unsupported value date 2024-01-01T00:00:00Z (expected a string, number, "
                        + "boolean, list or section; quote it to make it a string)");
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnceInFileOrder() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("""
                backends:
                  ipam: host-local
                  podInterface: ovz
                  policy: host-local
                network:
                  mtu: 99999
                  tunnelType: gre
                settings:
                  ovs:
                    netdev: {}
                """, "/etc/trellis/trellis-agent.yaml"));

        assertThat(e.errors()).containsExactly(
                "backends.podInterface: unknown backend 'ovz' (available: host-local, ovs, test-proxy)",
                "backends.policy: backend 'host-local' does not provide policy (it provides: ipam)",
                "network.mtu: must be 1280..65535, got 99999",
                "network.tunnelType: expected geneve or vxlan, got 'gre'",
                "settings.ovs.netdev: only valid with datapathType netdev (datapathType is 'system')");
        assertThat(e).hasMessage("""
                invalid agent configuration /etc/trellis/trellis-agent.yaml:
                  - backends.podInterface: unknown backend 'ovz' (available: host-local, ovs, test-proxy)
                  - backends.policy: backend 'host-local' does not provide policy (it provides: ipam)
                  - network.mtu: must be 1280..65535, got 99999
                  - network.tunnelType: expected geneve or vxlan, got 'gre'
                  - settings.ovs.netdev: only valid with datapathType netdev (datapathType is 'system')""");
    }

    @Test
    void malformedYamlIsReportedWithItsPosition() {
        assertThat(errors(MINIMAL + "backends:\n  ipam: host-local\n")).singleElement().asString()
                .startsWith("line 4, column 1: not valid YAML: found duplicate key backends");
        assertThat(errors("backends:\n  ipam: [host-local\n")).singleElement().asString()
                .startsWith("line 3, column 1: not valid YAML:");
        assertThat(errors("")).containsExactly(
                "the file is empty; at least backends.ipam and backends.podInterface are needed");
        assertThat(errors("- ovs\n- host-local\n")).containsExactly(
                "the top level must be a section (key: value lines), got a list");
    }

    @Test
    void yamlTagsThatWouldConstructObjectsAreRefused() {
        assertThat(errors("backends: !!javax.script.ScriptEngineManager [a]\n")).singleElement().asString()
                .contains("not valid YAML").contains("javax.script.ScriptEngineManager");
    }

    @Test
    void aMissingFileIsAConfigError() {
        assertThatThrownBy(() -> loader.load(Path.of("/nonexistent/trellis-agent.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/trellis-agent.yaml")
                .hasMessageContaining("cannot read the file");
    }

    private static final String WITH_POLICY = MINIMAL + "  policy: test-proxy\n";

    @Test
    void theControllerSectionIsRequiredWithAPolicyBackend() {
        assertThat(errors(WITH_POLICY)).containsExactly("controller: required with backends.policy 'test-proxy': the "
                + "NetworkPolicies come from the controller (address, caFile, tokenFile)");
    }

    @Test
    void theControllerSectionIsCheckedEvenWithoutAPolicyBackend() {
        AgentConfig config = parse(MINIMAL + """
                controller:
                  address: https://10.96.0.10:10349
                  caFile: /etc/trellis/tls/../tls/ca.crt
                  tokenFile: /etc/trellis/agent-token
                """);

        assertThat(config.controller()).contains(new ControllerConfig(java.net.URI.create("https://10.96.0.10:10349"),
                Path.of("/etc/trellis/tls/ca.crt"), Path.of("/etc/trellis/agent-token")));
        assertThat(errors(MINIMAL + "controller:\n  address: http://c:1\n  caFile: a\n  tokenFile: /t\n"))
                .contains("controller.address: must be an https:// URL (the channel is TLS only), got 'http://c:1'");
    }

    @Test
    void controllerFieldErrorsNameTheFieldAndTheValue() {
        assertThat(errors(WITH_POLICY + """
                controller:
                  address: https://controller.example
                  caFile: tls/ca.crt
                  tokenFile: 42
                  token: abc
                """)).containsExactly(
                "controller.token: unknown key (known: address, caFile, tokenFile)",
                "controller.address: must name a host and a port (https://host:port), got 'https://controller.example'",
                "controller.caFile: must be an absolute path, got 'tls/ca.crt'",
                "controller.tokenFile: expected a string, got integer 42");
        assertThat(errors(WITH_POLICY + """
                controller:
                  address: "https://c:10349/v1?x=1"
                """)).containsExactly(
                "controller.address: must be just https://host:port (no path, query or user), got 'https://c:10349/v1?x=1'",
                "controller.caFile: required",
                "controller.tokenFile: required");
        assertThat(errors(WITH_POLICY + "controller:\n  address: 'https://c:10349/a b'\n  caFile: /a\n  tokenFile: /b\n"))
                .singleElement().asString().startsWith("controller.address: 'https://c:10349/a b' is not a URI: ");
        assertThat(errors(WITH_POLICY + "controller: https://c:10349\n")).containsExactly(
                "controller: expected a section (key: value lines), got string 'https://c:10349'");
    }
}
