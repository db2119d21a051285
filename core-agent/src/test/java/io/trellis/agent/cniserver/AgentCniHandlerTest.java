package io.trellis.agent.cniserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.agent.interfacestore.AttachmentKey;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.agent.node.PodMtu;
import io.trellis.agent.testing.FakeIpam;
import io.trellis.agent.testing.FakePodInterfaces;
import io.trellis.cni.model.AttachmentId;
import io.trellis.cni.model.CniInterface;
import io.trellis.cni.model.CniIp;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.pod.PodInterfaceRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCniHandlerTest {
    private static final String CONFIG = "{\"cniVersion\":\"1.0.0\",\"name\":\"trellis\",\"type\":\"trellis-cni\"}";
    private static final String NETNS = "/var/run/netns/pod-a";

    @TempDir
    Path dir;
    private final FakeIpam ipam = new FakeIpam();
    private final FakePodInterfaces pods = new FakePodInterfaces();
    private AttachmentStore store;
    private AgentCniHandler handler;

    @BeforeEach
    void setUp() {
        store = AttachmentStore.open(dir.resolve("attachments"));
        handler = new AgentCniHandler(ipam, pods, store, new PodMtu(1450));
    }

    @Test
    void addReturnsHostAndPodInterfacesTheAddressOnThePodInterfaceAndTheDefaultRoute() throws Exception {
        CniResult result = handler.add(add("c1", "x", "a"));

        assertThat(result.interfaces()).extracting(CniInterface::name).containsExactly(
                FakePodInterfaces.interfaces(pods.attached().get(List.of("c1", "eth0"))).host().orElseThrow().name(), "eth0");
        assertThat(result.interfaces().get(0).sandbox()).isEmpty();
        assertThat(result.interfaces().get(1).sandbox()).contains(NETNS);
        assertThat(result.interfaces().get(1).mac()).contains("02:00:00:00:00:05");
        assertThat(result.interfaces()).allSatisfy(i -> assertThat(i.mtu()).hasValue(1450));
        assertThat(result.ips()).hasSize(1);
        CniIp ip = result.ips().get(0);
        assertThat(ip.address().cidr()).isEqualTo("10.244.1.2/24");
        assertThat(ip.address().gateway().orElseThrow().getHostAddress()).isEqualTo("10.244.1.1");
        assertThat(ip.interfaceIndex()).hasValue(1);
        assertThat(result.routes()).singleElement().satisfies(r -> {
            assertThat(r.destinationCidr()).isEqualTo("0.0.0.0/0");
            assertThat(r.gateway().orElseThrow().getHostAddress()).isEqualTo("10.244.1.1");
        });

        PodInterfaceRequest sent = pods.attached().get(List.of("c1", "eth0"));
        assertThat(sent.mtu()).isEqualTo(1450);
        assertThat(sent.netns()).isEqualTo(Path.of(NETNS));
        assertThat(sent.attachment().pod()).isEqualTo(new PodRef("x", "a"));
        assertThat(sent.mac()).isEmpty();
        assertThat(store.get(new AttachmentKey("c1", "eth0")).orElseThrow().interfaces()).isPresent();
    }

    @Test
    void repeatedAddReturnsTheSameAddress() throws Exception {
        CniResult first = handler.add(add("c1", "x", "a"));
        CniResult second = handler.add(add("c1", "x", "a"));
        assertThat(second).isEqualTo(first);
        assertThat(ipam.allocations()).hasSize(1);
    }

    @Test
    void addOfAnAttachmentHeldByAnotherPodIsRefused() throws Exception {
        handler.add(add("c1", "x", "a"));
        assertThatThrownBy(() -> handler.add(add("c1", "x", "b")))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.error().msg())
                        .contains("already attached for pod x/a"));
        assertThat(ipam.allocations()).singleElement().satisfies(a -> assertThat(a.attachment().pod().name()).isEqualTo("a"));
    }

    @Test
    void missingPodArgumentsAreACniError4NamingTheArgument() {
        CniRequest request = request(CniCommand.ADD, "c1", Optional.of(NETNS), Map.of("K8S_POD_NAMESPACE", "x"),
                CONFIG, Optional.empty(), List.of());
        assertThatThrownBy(() -> handler.add(request)).isInstanceOfSatisfying(CniException.class, e -> {
            assertThat(e.error().code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
            assertThat(e.error().msg()).isEqualTo("CNI_ARGS lacks K8S_POD_NAME");
        });
        CniRequest neither = request(CniCommand.ADD, "c1", Optional.of(NETNS), Map.of(), CONFIG, Optional.empty(), List.of());
        assertThatThrownBy(() -> handler.add(neither)).isInstanceOfSatisfying(CniException.class,
                e -> assertThat(e.error().msg()).isEqualTo("CNI_ARGS lacks K8S_POD_NAMESPACE and K8S_POD_NAME"));
        assertThat(ipam.allocations()).isEmpty();
        assertThat(store.all()).isEmpty();
    }

    @Test
    void aFailedAttachRollsBackSoThatNoAddressLeaks() {
        pods.failAttachWith("moving veth into the netns: No such file or directory");
        assertThatThrownBy(() -> handler.add(add("c1", "x", "a"))).isInstanceOfSatisfying(CniException.class, e -> {
            assertThat(e.error().code()).isEqualTo(CniError.AGENT_FAILURE);
            assertThat(e.error().msg()).isEqualTo("ADD x/a (c1 eth0): attaching the pod interface: x/a eth0: moving veth"
                    + " into the netns: No such file or directory");
        });
        assertThat(ipam.allocations()).isEmpty();
        assertThat(store.all()).isEmpty();
        assertThat(pods.calls()).containsExactly("attach [c1, eth0]", "detach [c1, eth0]");
    }

    @Test
    void anExhaustedRangeIsReportedAndLeavesNoRecord() throws Exception {
        ipam.limitTo(1);
        handler.add(add("c1", "x", "a"));
        assertThatThrownBy(() -> handler.add(add("c2", "x", "b"))).isInstanceOfSatisfying(CniException.class,
                e -> assertThat(e.error().msg()).isEqualTo(
                        "ADD x/b (c2 eth0): allocating addresses: pod CIDR 10.244.1.0/24 is exhausted"));
        assertThat(store.all()).extracting(r -> r.attachment().containerId()).containsExactly("c1");
    }

    @Test
    void delDetachesReleasesAndForgetsAndIsIdempotent() throws Exception {
        handler.add(add("c1", "x", "a"));
        handler.del(del("c1", Optional.of(NETNS), podArgs("x", "a")));
        assertThat(ipam.allocations()).isEmpty();
        assertThat(pods.attached()).isEmpty();
        assertThat(store.all()).isEmpty();

        handler.del(del("c1", Optional.of(NETNS), podArgs("x", "a")));          // a second DEL
        handler.del(del("c1", Optional.empty(), podArgs("x", "a")));            // the netns is gone
        handler.del(del("never-added", Optional.empty(), Map.of()));            // nothing known, no pod args
        assertThat(pods.calls()).containsExactly("attach [c1, eth0]", "detach [c1, eth0]", "detach [c1, eth0]",
                "detach [c1, eth0]");
    }

    @Test
    void delWithoutPodArgumentsFindsThePodInTheRecordAndUsesTheRecordedNetns() throws Exception {
        handler.add(add("c1", "x", "a"));
        handler.del(del("c1", Optional.empty(), Map.of()));
        assertThat(ipam.allocations()).isEmpty();
        assertThat(store.all()).isEmpty();
    }

    @Test
    void checkPassesOnTheAddResultAndFailsWhenThePrevResultLacksOurAddress() throws Exception {
        CniResult added = handler.add(add("c1", "x", "a"));
        handler.check(check("c1", "x", "a", added));
        assertThat(pods.calls()).endsWith("check [c1, eth0]");

        CniResult withoutIps = new CniResult(added.interfaces(), List.of(), added.routes(), Optional.empty());
        assertThatThrownBy(() -> handler.check(check("c1", "x", "a", withoutIps)))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.error().msg())
                        .isEqualTo("CHECK x/a (c1 eth0): prevResult lacks ip 10.244.1.2/24"));

        CniResult otherInterface = new CniResult(List.of(CniInterface.named("eth0").withSandbox("/other")), added.ips().stream()
                .map(i -> CniIp.on(0, i.address())).toList(), List.of(), Optional.empty());
        assertThatThrownBy(() -> handler.check(check("c1", "x", "a", otherInterface)))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.error().msg())
                        .contains("prevResult has no interface eth0 with mac 02:00:00:00:00:05 in sandbox " + NETNS));
    }

    @Test
    void checkOfAnUnknownAttachmentIsError3() {
        assertThatThrownBy(() -> handler.check(check("c9", "x", "a", CniResult.empty())))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.error().code())
                        .isEqualTo(CniError.UNKNOWN_CONTAINER));
    }

    @Test
    void checkReportsWhatTheDriverFound() throws Exception {
        CniResult added = handler.add(add("c1", "x", "a"));
        pods.detach(new io.trellis.spi.model.PodAttachment("c1", "eth0", new PodRef("x", "a")), Optional.empty());
        assertThatThrownBy(() -> handler.check(check("c1", "x", "a", added)))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.error().msg())
                        .isEqualTo("CHECK x/a (c1 eth0): checking the pod interface: x/a: not attached"));
    }

    @Test
    void gcReleasesEverythingNotValidAndKeepsTheRest() throws Exception {
        handler.add(add("c1", "x", "a"));
        handler.add(add("c2", "x", "b"));
        handler.add(add("c3", "x", "c"));

        handler.gc(request(CniCommand.GC, null, Optional.empty(), Map.of(), gcConfig(), Optional.empty(),
                List.of(new AttachmentId("c2", "eth0"), new AttachmentId("unknown", "eth0"))));

        assertThat(ipam.allocations()).extracting(a -> a.attachment().containerId()).containsExactly("c2");
        assertThat(pods.attached().keySet()).containsExactly(List.of("c2", "eth0"));
        assertThat(store.all()).extracting(r -> r.attachment().containerId()).containsExactly("c2");
    }

    @Test
    void aRequestedMacFromRuntimeConfigReachesTheDriverAndAnInvalidOneIsRefused() throws Exception {
        String withMac = "{\"cniVersion\":\"1.0.0\",\"name\":\"trellis\",\"runtimeConfig\":{\"mac\":\"0a:58:0a:f4:01:09\"}}";
        CniResult result = handler.add(request(CniCommand.ADD, "c1", Optional.of(NETNS), podArgs("x", "a"), withMac,
                Optional.empty(), List.of()));
        assertThat(pods.attached().get(List.of("c1", "eth0")).mac()).contains(MacAddress.parse("0a:58:0a:f4:01:09"));
        assertThat(result.interfaces().get(1).mac()).contains("0a:58:0a:f4:01:09");

        String multicast = "{\"cniVersion\":\"1.0.0\",\"name\":\"trellis\",\"runtimeConfig\":{\"mac\":\"01:00:5e:00:00:01\"}}";
        assertThatThrownBy(() -> handler.add(request(CniCommand.ADD, "c2", Optional.of(NETNS), podArgs("x", "b"),
                multicast, Optional.empty(), List.of()))).isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(CniError.INVALID_CONFIG);
                    assertThat(e.error().msg()).isEqualTo("runtimeConfig.mac: '01:00:5e:00:00:01' is a group address; an"
                            + " interface needs a unicast one");
                });
        Map<String, String> badArg = new java.util.HashMap<>(podArgs("x", "c"));
        badArg.put("MAC", "zz");
        assertThatThrownBy(() -> handler.add(request(CniCommand.ADD, "c3", Optional.of(NETNS), badArg, CONFIG,
                Optional.empty(), List.of()))).isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
                    assertThat(e.error().msg()).startsWith("CNI_ARGS MAC: 'zz' is not a MAC address");
                });
    }

    @Test
    void commandsOfOneAttachmentRunOneAtATimeWhileOthersOverlap() throws Exception {
        pods.slowAttach(30);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<CniResult>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String id = "c" + (i % 4);
                results.add(pool.submit(() -> handler.add(add(id, "x", "p-" + id))));
            }
            for (Future<CniResult> f : results) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(pods.maxConcurrentPerAttachment()).isEqualTo(1);
        assertThat(pods.maxConcurrentOverall()).isGreaterThan(1);
        assertThat(ipam.allocations()).hasSize(4);
        assertThat(handler.attachmentsInFlight()).isZero();
    }

    @Test
    void statusIsNotAvailableUntilTheGateOpensAndOtherCommandsSayTryAgainLater() throws Exception {
        ReadinessGate gate = new ReadinessGate();
        gate.waitingFor("waiting for Node n1 and its spec.podCIDRs");
        CniRequest status = request(CniCommand.STATUS, null, Optional.empty(), Map.of(), gcConfig(), Optional.empty(),
                List.of());
        assertThatThrownBy(() -> gate.status(status)).isInstanceOfSatisfying(CniException.class, e -> {
            assertThat(e.error().code()).isEqualTo(CniError.NOT_AVAILABLE);
            assertThat(e.error().msg()).isEqualTo("Trellis agent not ready: waiting for Node n1 and its spec.podCIDRs");
        });
        assertThatThrownBy(() -> gate.add(add("c1", "x", "a"))).isInstanceOfSatisfying(CniException.class,
                e -> assertThat(e.error().code()).isEqualTo(CniError.TRY_AGAIN_LATER));
        assertThatThrownBy(() -> gate.del(del("c1", Optional.empty(), podArgs("x", "a"))))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.error().code()).isEqualTo(CniError.TRY_AGAIN_LATER));

        gate.open(handler);
        gate.status(status);
        assertThat(gate.add(add("c1", "x", "a")).ips()).hasSize(1);
        assertThatThrownBy(() -> gate.open(handler)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void recordsSurviveARestartSoThatDelAfterRestartStillFindsThePod() throws Exception {
        handler.add(add("c1", "x", "a"));
        AgentCniHandler restarted = new AgentCniHandler(ipam, pods, AttachmentStore.open(dir.resolve("attachments")),
                new PodMtu(1450));
        restarted.del(del("c1", Optional.empty(), Map.of()));
        assertThat(ipam.allocations()).isEmpty();
    }

    private static Map<String, String> podArgs(String ns, String name) {
        return Map.of("K8S_POD_NAMESPACE", ns, "K8S_POD_NAME", name, "IgnoreUnknown", "1");
    }

    private static CniRequest add(String containerId, String ns, String pod) {
        return request(CniCommand.ADD, containerId, Optional.of(NETNS), podArgs(ns, pod), CONFIG, Optional.empty(), List.of());
    }

    private static CniRequest del(String containerId, Optional<String> netns, Map<String, String> args) {
        return request(CniCommand.DEL, containerId, netns, args, CONFIG, Optional.empty(), List.of());
    }

    private static CniRequest check(String containerId, String ns, String pod, CniResult prev) {
        return request(CniCommand.CHECK, containerId, Optional.of(NETNS), podArgs(ns, pod), CONFIG, Optional.of(prev),
                List.of());
    }

    private static String gcConfig() {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"trellis\"}";
    }

    private static CniRequest request(CniCommand command, String containerId, Optional<String> netns,
                                      Map<String, String> args, String config, Optional<CniResult> prev,
                                      List<AttachmentId> valid) {
        return new CniRequest(command, "1.0.0", "trellis", Optional.ofNullable(containerId),
                Optional.ofNullable(containerId).map(c -> "eth0"), netns, args, config, prev, valid);
    }
}
