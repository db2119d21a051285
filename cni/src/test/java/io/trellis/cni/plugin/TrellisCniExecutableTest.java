package io.trellis.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.cni.model.AttachmentId;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.server.CniServer;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniVersion;
import io.trellis.cni.testing.CniExecutable;
import io.trellis.cni.testing.CniExecutable.Invocation;
import io.trellis.cni.testing.FakeHandler;
import io.trellis.cni.testing.Json;
import io.trellis.cni.testing.SampleResults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * bin/trellis-cni run like a runtime runs it, against a CniServer with a fake handler: every
 * command in every version, with the result format checked member by member.
 */
class TrellisCniExecutableTest {
    static final String NETNS = "/var/run/netns/cni-test-pod";

    @TempDir
    Path dir;
    CniServer server;
    FakeHandler handler;
    CniExecutable cni = CniExecutable.trellisCni();
    CniResult result = SampleResults.dualStack(NETNS);

    @BeforeEach
    void startAgent() throws IOException {
        handler = new FakeHandler(result);
        server = CniServer.start(CniServer.Config.at(dir.resolve("cni.sock")), handler);
    }

    @AfterEach
    void stopAgent() {
        server.close();
    }

    String config(CniVersion v, String extra) {
        return "{\n  \"cniVersion\": \"" + v + "\",\n  \"name\": \"trellis\",\n  \"type\": \"trellis-cni\",\n"
                + "  \"agentSocket\": \"" + dir.resolve("cni.sock") + "\",\n  \"ipam\": {\"type\": \"host-local\"}"
                + extra + "\n}\n";
    }

    static Map<String, String> env(String command) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "3f6940ab5ab4");
        env.put("CNI_NETNS", NETNS);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;K8S_POD_NAME=a;K8S_POD_UID=u-1");
        return env;
    }

    /** ADD's output for this version, as the runtime would store it and pass it on as prevResult. */
    String addResult(CniVersion v) {
        Invocation add = cni.run(env("ADD"), config(v, ""));
        assertThat(add.exitCode()).as("%s", add).isZero();
        return add.stdout().strip();
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void addReturnsTheAgentsResultInTheRequestedVersion(CniVersion v) {
        String stdin = config(v, "");
        Invocation run = cni.run(env("ADD"), stdin);

        assertThat(run.exitCode()).as("%s", run).isZero();
        Map<String, Object> out = Json.object(run.stdout());
        assertThat(out).containsOnlyKeys("cniVersion", "interfaces", "ips", "routes", "dns");
        assertThat(out.get("cniVersion")).isEqualTo(v.text());

        List<Map<String, Object>> interfaces = Json.objects(out, "interfaces");
        assertThat(interfaces).hasSize(2);
        assertThat(interfaces.get(0)).containsOnly(Map.entry("name", "vethab12cd34"), Map.entry("mac", "fe:ff:ff:ff:ff:ff"));
        Map<String, Object> eth0 = new LinkedHashMap<>(Map.of("name", "eth0", "mac", "02:42:0a:0a:01:05", "sandbox", NETNS));
        if (v == CniVersion.V1_1_0) {
            eth0.put("mtu", 1450); // interface mtu exists from 1.1.0 only
        }
        assertThat(interfaces.get(1)).isEqualTo(eth0);

        List<Map<String, Object>> ips = Json.objects(out, "ips");
        Map<String, Object> ip4 = new LinkedHashMap<>(Map.of("address", "10.10.1.5/24", "gateway", "10.10.1.1", "interface", 1));
        Map<String, Object> ip6 = new LinkedHashMap<>(Map.of("address", "fd00:10:1::5/64",
                "gateway", "fd00:10:1::1", "interface", 1));
        if (v.compareTo(CniVersion.V1_0_0) < 0) {
            ip4.put("version", "4"); // 0.3.x and 0.4.0 name the family; 1.0.0 dropped it
            ip6.put("version", "6");
        }
        assertThat(ips).containsExactly(ip4, ip6);

        List<Map<String, Object>> routes = Json.objects(out, "routes");
        Map<String, Object> defaultRoute = new LinkedHashMap<>(Map.of("dst", "0.0.0.0/0", "gw", "10.10.1.1"));
        if (v == CniVersion.V1_1_0) {
            defaultRoute.putAll(Map.of("mtu", 1400, "advmss", 1360, "priority", 10, "table", 254, "scope", 0));
        }
        assertThat(routes).containsExactly(defaultRoute, Map.of("dst", "::/0", "gw", "fd00:10:1::1"));
        assertThat(Json.member(out, "dns")).isEqualTo(Map.of("nameservers", List.of("10.96.0.10"),
                "domain", "cluster.local", "search", List.of("x.svc.cluster.local", "svc.cluster.local"),
                "options", List.of("ndots:5")));

        CniRequest seen = handler.last();
        assertThat(seen.command()).isEqualTo(CniCommand.ADD);
        assertThat(seen.cniVersion()).isEqualTo(v.text());
        assertThat(seen.network()).isEqualTo("trellis");
        assertThat(seen.attachment()).isEqualTo(new AttachmentId("3f6940ab5ab4", "eth0"));
        assertThat(seen.netns()).contains(NETNS);
        assertThat(seen.args()).containsEntry("K8S_POD_NAMESPACE", "x").containsEntry("K8S_POD_NAME", "a")
                .containsEntry("K8S_POD_UID", "u-1").containsEntry("IgnoreUnknown", "1");
        assertThat(seen.pod()).hasValueSatisfying(p -> assertThat(p.toString()).isEqualTo("x/a"));
        assertThat(seen.networkConfig()).isEqualTo(stdin);
        assertThat(seen.prevResult()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void delSucceedsSilentlyAndForwardsPrevResultFrom040(CniVersion v) {
        String prev = addResult(v);
        Invocation run = cni.run(env("DEL"), config(v, ",\n  \"prevResult\": " + prev));

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.stdout()).isEmpty();
        CniRequest seen = handler.last();
        assertThat(seen.command()).isEqualTo(CniCommand.DEL);
        assertThat(seen.attachment()).isEqualTo(new AttachmentId("3f6940ab5ab4", "eth0"));
        // What the runtime cached from ADD reaches the agent as the same neutral result, minus what the
        // version could not express (1.1.0 fields in older versions).
        CniResult expected = v == CniVersion.V1_1_0 ? result : SampleResultsWithout11Fields.of(result);
        assertThat(seen.prevResult()).contains(expected);
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void delWithoutNetnsOrPrevResultStillReachesTheAgent(CniVersion v) {
        Map<String, String> env = env("DEL");
        env.remove("CNI_NETNS");
        Invocation run = cni.run(env, config(v, ""));

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(handler.last().netns()).isEmpty();
        assertThat(handler.last().prevResult()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void checkFrom040ForwardsThePrevResultAndEarlierVersionsRejectIt(CniVersion v) {
        String prev = addResult(v);
        int before = handler.requests.size();
        Invocation run = cni.run(env("CHECK"), config(v, ",\n  \"prevResult\": " + prev));

        if (v.hasCheck()) {
            assertThat(run.exitCode()).as("%s", run).isZero();
            assertThat(run.stdout()).isEmpty();
            assertThat(handler.last().command()).isEqualTo(CniCommand.CHECK);
            assertThat(handler.last().prevResult()).isPresent();
            assertThat(handler.last().prevResult().get().ips()).isEqualTo(result.ips());
        } else {
            assertSpecError(run, v.text(), CniError.INCOMPATIBLE_VERSION, "CHECK needs cniVersion 0.4.0 or later");
            assertThat(handler.requests).hasSize(before);
        }
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void statusExistsFrom110(CniVersion v) {
        Invocation run = cni.run(Map.of("CNI_COMMAND", "STATUS"), config(v, ""));
        if (v.hasStatusAndGc()) {
            assertThat(run.exitCode()).as("%s", run).isZero();
            assertThat(run.stdout()).isEmpty();
            assertThat(handler.last().command()).isEqualTo(CniCommand.STATUS);
            assertThat(handler.last().containerId()).isEmpty();
        } else {
            assertSpecError(run, v.text(), CniError.INCOMPATIBLE_VERSION, "STATUS needs cniVersion 1.1.0 or later");
            assertThat(handler.requests).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void gcExistsFrom110AndCarriesTheValidAttachments(CniVersion v) {
        String attachments = ",\n  \"cni.dev/valid-attachments\": [{\"containerID\": \"c1\", \"ifname\": \"eth0\"},"
                + " {\"containerID\": \"c2\", \"ifname\": \"net1\"}]";
        Invocation run = cni.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin"), config(v, attachments));
        if (v.hasStatusAndGc()) {
            assertThat(run.exitCode()).as("%s", run).isZero();
            assertThat(run.stdout()).isEmpty();
            assertThat(handler.last().command()).isEqualTo(CniCommand.GC);
            assertThat(handler.last().validAttachments()).containsExactly(new AttachmentId("c1", "eth0"),
                    new AttachmentId("c2", "net1"));
        } else {
            assertSpecError(run, v.text(), CniError.INCOMPATIBLE_VERSION, "GC needs cniVersion 1.1.0 or later");
            assertThat(handler.requests).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void versionAnswersInTheAskedVersionWithoutTheAgent(CniVersion v) {
        server.close();
        Invocation run = cni.run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\": \"" + v + "\"}");

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(Json.object(run.stdout())).isEqualTo(Map.of("cniVersion", v.text(),
                "supportedVersions", List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")));
    }

    static void assertSpecError(Invocation run, String cniVersion, int code, String msgPart) {
        assertThat(run.exitCode()).as("%s", run).isNotZero();
        Map<String, Object> out = Json.object(run.stdout());
        assertThat(out).containsEntry("cniVersion", cniVersion).containsEntry("code", code);
        assertThat((String) out.get("msg")).contains(msgPart);
        assertThat(out.keySet()).isSubsetOf("cniVersion", "code", "msg", "details");
    }
}
