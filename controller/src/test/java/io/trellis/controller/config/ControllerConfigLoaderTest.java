package io.trellis.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ipam.cidr.Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControllerConfigLoaderTest {
    private final ControllerConfigLoader loader = new ControllerConfigLoader();

    private ConfigException failure(String yaml) {
        try {
            loader.parse(yaml, "test.yaml");
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    @Test
    void theShippedExampleLoads() {
        ControllerConfig config = loader.load(Path.of("../config/trellis-controller.yaml"));

        assertThat(config.clusterCidr()).isEqualTo(Cidr.parse("10.244.0.0/16"));
        assertThat(config.nodeCidrMaskSize()).isEqualTo(24);
        assertThat(config.leaderElection()).isEqualTo(new LeaderElectionSettings(Optional.empty(), "kube-system",
                "trellis-controller", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)));
    }

    @Test
    void theShippedExampleDocumentsEveryKey() throws Exception {
        String text = java.nio.file.Files.readString(Path.of("../config/trellis-controller.yaml"));

        // agentApi is optional and shipped commented out ("# agentApi:").
        assertThat(ControllerConfigLoader.ROOT_KEYS)
                .allSatisfy(k -> assertThat(text).containsPattern("(?m)^(# )?" + k + ":"));
        assertThat(ControllerConfigLoader.LEADER_KEYS)
                .allSatisfy(k -> assertThat(text).containsPattern("(?m)^  (# )?" + k + ":"));
        // The agentApi section is optional and shipped commented out.
        assertThat(text).containsPattern("(?m)^# agentApi:");
        assertThat(ControllerConfigLoader.AGENT_API_KEYS)
                .allSatisfy(k -> assertThat(text).containsPattern("(?m)^#   " + k + ":"));
    }

    @Test
    void theShippedAgentApiExampleLoadsWhenUncommented() throws Exception {
        String text = java.nio.file.Files.readString(Path.of("../config/trellis-controller.yaml"))
                .replaceAll("(?m)^# agentApi:", "agentApi:").replaceAll("(?m)^#   ([a-zA-Z]+:)", "  $1");

        assertThat(loader.parse(text, "t").agentApi()).contains(new AgentApiSettings(
                new java.net.InetSocketAddress("0.0.0.0", 10349), Path.of("/etc/trellis/tls/tls.crt"),
                Path.of("/etc/trellis/tls/tls.key"), Path.of("/etc/trellis/agent-token-secret")));
    }

    @Test
    void withoutAgentApiThereIsNoPolicyChannel() {
        assertThat(loader.parse("clusterCidr: 10.8.0.0/14\n", "t").agentApi()).isEmpty();
    }

    @Test
    void agentApiIsReadWithIpv6AndDefaultListenAddresses() {
        ControllerConfig config = loader.parse("""
                clusterCidr: 10.244.0.0/16
                agentApi:
                  listen: "[::1]:9443"
                  certificateFile: /c
                  privateKeyFile: /k
                  agentTokenSecretFile: /s
                """, "t");
        assertThat(config.agentApi().orElseThrow().listen())
                .isEqualTo(new java.net.InetSocketAddress("::1", 9443));
        assertThat(config.agentApi().orElseThrow().certificateFile()).isEqualTo(Path.of("/c"));
        assertThat(config.agentApi().orElseThrow().privateKeyFile()).isEqualTo(Path.of("/k"));
        assertThat(config.agentApi().orElseThrow().agentTokenSecretFile()).isEqualTo(Path.of("/s"));

        assertThat(loader.parse("clusterCidr: 10.244.0.0/16\nagentApi:\n  certificateFile: /c\n"
                + "  privateKeyFile: /k\n  agentTokenSecretFile: /s\n", "t").agentApi().orElseThrow().listen())
                .isEqualTo(new java.net.InetSocketAddress("0.0.0.0", ControllerConfigLoader.DEFAULT_AGENT_API_PORT));
    }

    @Test
    void badAgentApiValuesAreReportedNamingFieldAndValue() {
        ConfigException e = failure("""
                clusterCidr: 10.244.0.0/16
                agentApi:
                  listen: 300.1.1.1:10349
                  certificateFile: tls.crt
                  privateKeyFile: 42
                  secretFile: /s
                """);

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "agentApi.secretFile: unknown key (known: listen, certificateFile, privateKeyFile, "
                        + "agentTokenSecretFile)",
                "agentApi.listen: expected address:port with a numeric IP address and a port 1..65535 "
                        + "(e.g. 0.0.0.0:10349 or [::]:10349), got '300.1.1.1:10349'",
                "agentApi.certificateFile: expected an absolute file path, got 'tls.crt'",
                "agentApi.privateKeyFile: expected a string, got integer 42",
                "agentApi.agentTokenSecretFile: required when agentApi is given");
        assertThat(failure("clusterCidr: 10.244.0.0/16\nagentApi: on\n").problems())
                .containsExactly("agentApi: expected a section (key: value lines), got boolean true");
        assertThat(failure("clusterCidr: 10.244.0.0/16\nagentApi:\n  listen: 10.0.0.1:0\n  certificateFile: /c\n"
                + "  privateKeyFile: /k\n  agentTokenSecretFile: /s\n").problems()).singleElement().asString()
                .startsWith("agentApi.listen: expected address:port").endsWith("got '10.0.0.1:0'");
    }

    @Test
    void onlyTheClusterCidrIsRequired() {
        ControllerConfig config = loader.parse("clusterCidr: 10.8.0.0/14\n", "t");

        assertThat(config.clusterCidr()).isEqualTo(Cidr.parse("10.8.0.0/14"));
        assertThat(config.nodeCidrMaskSize()).isEqualTo(ControllerConfigLoader.DEFAULT_NODE_MASK);
        assertThat(config.leaderElection().leaseDuration()).isEqualTo(ControllerConfigLoader.DEFAULT_LEASE_DURATION);
        assertThat(config.leaderElection().identityOr("host_1")).isEqualTo("host_1");
    }

    @Test
    void everyLeaderElectionFieldIsRead() {
        ControllerConfig config = loader.parse("""
                clusterCidr: 10.244.0.0/16
                nodeCidrMaskSize: 26
                leaderElection:
                  identity: replica-a
                  leaseNamespace: trellis-system
                  leaseName: ipam.trellis.io
                  leaseDuration: 1m
                  renewDeadline: 900ms
                  retryPeriod: 300ms
                """, "t");

        assertThat(config.nodeCidrMaskSize()).isEqualTo(26);
        assertThat(config.leaderElection()).isEqualTo(new LeaderElectionSettings(Optional.of("replica-a"),
                "trellis-system", "ipam.trellis.io", Duration.ofMinutes(1), Duration.ofMillis(900),
                Duration.ofMillis(300)));
        assertThat(config.leaderElection().identityOr("host_1")).isEqualTo("replica-a");
    }

    @Test
    void unknownKeysAreRejectedWithTheirPath() {
        ConfigException e = failure("""
                clusterCidr: 10.244.0.0/16
                clusterCIDR: 10.0.0.0/8
                leaderElection:
                  leaseTime: 10s
                """);

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "clusterCIDR: unknown key (known: clusterCidr, nodeCidrMaskSize, leaderElection, agentApi)",
                "leaderElection.leaseTime: unknown key (known: identity, leaseNamespace, leaseName, leaseDuration, "
                        + "renewDeadline, retryPeriod)");
    }

    @Test
    void everyBadValueIsReportedAtOnceNamingFieldAndValue() {
        ConfigException e = failure("""
                clusterCidr: 10.244.0.0/33
                nodeCidrMaskSize: "24"
                leaderElection:
                  leaseNamespace: Kube_System
                  leaseDuration: 15
                  retryPeriod: 2h
                """);

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems().get(0)).startsWith("clusterCidr: '10.244.0.0/33' is not a valid CIDR: ");
        assertThat(e.problems()).contains(
                "nodeCidrMaskSize: expected an integer, got string '24'",
                "leaderElection.leaseNamespace: not a valid Kubernetes name (lower case letters, digits and '-'), "
                        + "got 'Kube_System'",
                "leaderElection.leaseDuration: expected a string, got integer 15",
                "leaderElection.retryPeriod: expected a positive duration like 15s, 500ms or 1m, got '2h'");
        assertThat(e.getMessage()).startsWith("test.yaml: 5 problems");
    }

    @Test
    void durationsNeedAUnitAndAPositiveValue() {
        assertThat(failure("clusterCidr: 10.0.0.0/8\nleaderElection:\n  retryPeriod: 0s\n").problems())
                .containsExactly("leaderElection.retryPeriod: expected a positive duration like 15s, 500ms or 1m, "
                        + "got '0s'");
    }

    @Test
    void ipv6AndMissingClusterCidrsAreRejected() {
        assertThat(failure("clusterCidr: fd00:10:244::/56\n").problems())
                .containsExactly("clusterCidr: only IPv4 is supported, got 'fd00:10:244::/56'");
        assertThat(failure("nodeCidrMaskSize: 24\n").problems()).singleElement().asString()
                .startsWith("clusterCidr: required");
        assertThat(failure("clusterCidr: 10.244.0.1/16\n").problems()).singleElement().asString()
                .contains("host bits set");
    }

    @Test
    void theNodeMaskMustFitTheClusterCidr() {
        assertThat(failure("clusterCidr: 10.244.0.0/16\nnodeCidrMaskSize: 15\n").problems())
                .containsExactly("nodeCidrMaskSize: must be 16..30 for clusterCidr 10.244.0.0/16 (at least the "
                        + "cluster prefix, at most /30 to leave room for pods), got 15");
        assertThat(failure("clusterCidr: 10.244.0.0/16\nnodeCidrMaskSize: 31\n").problems()).singleElement()
                .asString().endsWith("got 31");
    }

    @Test
    void leaseTimingsMustBeOrdered() {
        assertThat(failure("""
                clusterCidr: 10.244.0.0/16
                leaderElection:
                  leaseDuration: 5s
                  renewDeadline: 5s
                """).problems()).containsExactly("leaderElection.renewDeadline (PT5S) must be shorter than "
                + "leaderElection.leaseDuration (PT5S)");
    }

    @Test
    void notAMappingAndBrokenYamlAreReported() {
        assertThat(failure("- 10.244.0.0/16\n").problems()).singleElement().asString()
                .startsWith("expected a mapping").endsWith("got a list");
        assertThat(failure("clusterCidr: [10.0.0.0/8\n").problems()).singleElement().asString()
                .startsWith("not valid YAML");
        assertThat(failure("clusterCidr: 10.244.0.0/16\nleaderElection: fast\n").problems())
                .containsExactly("leaderElection: expected a section (key: value lines), got string 'fast'");
    }

    @Test
    void aMissingFileIsReportedWithItsPath() {
        assertThatThrownBy(() -> loader.load(Path.of("/nonexistent/trellis-controller.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("/nonexistent/trellis-controller.yaml: 1 problem")
                .hasMessageContaining("cannot read the file");
    }
}
