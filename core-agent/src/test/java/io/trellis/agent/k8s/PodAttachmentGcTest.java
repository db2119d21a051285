package io.trellis.agent.k8s;

import static io.trellis.agent.k8s.RestartableApiServer.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.agent.cniserver.AgentCniHandler;
import io.trellis.agent.interfacestore.AttachmentKey;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.agent.node.PodMtu;
import io.trellis.agent.testing.FakeIpam;
import io.trellis.agent.testing.FakePodInterfaces;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.spec.CniCommand;
import io.trellis.spi.ipam.IpamAllocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's Pod informer releases the attachments of pods that are gone, through the CNI
 * handler's DEL path (IPAM, pod interface and store together), after a grace period; never while
 * the API server is unreachable; and after it comes back, for what was deleted meanwhile.
 */
class PodAttachmentGcTest {
    private static final String NODE = "node-1";
    private static final Duration GRACE = Duration.ofMillis(1500);
    private static final String CONFIG = "{\"cniVersion\":\"1.0.0\",\"name\":\"trellis\",\"type\":\"trellis-cni\"}";

    @TempDir
    Path dir;
    private final FakeIpam ipam = new FakeIpam();
    private final FakePodInterfaces pods = new FakePodInterfaces();
    private RestartableApiServer api;
    private KubernetesClient agentClient;
    private AttachmentStore store;
    private AgentCniHandler handler;
    private PodAttachmentGc gc;

    @BeforeEach
    void setUp() {
        api = new RestartableApiServer();
        agentClient = api.newClient();
        store = AttachmentStore.open(dir.resolve("attachments"));
        handler = new AgentCniHandler(ipam, pods, store, new PodMtu(1450));
    }

    @AfterEach
    void tearDown() {
        if (gc != null) {
            gc.close();
        }
        agentClient.close();
        api.close();
    }

    /**
     * The mock server cannot select Pods by spec.nodeName, so the test informer watches every Pod
     * and the GC must itself tell this node's pods from the others'.
     */
    private PodAttachmentGc startGc() {
        gc = new PodAttachmentGc(agentClient, NODE, agentClient.pods().inAnyNamespace(), store,
                handler::releaseOrphan, GRACE);
        gc.start();
        return gc;
    }

    @Test
    void atStartTheAttachmentsOfPodsThatAreGoneOrOnAnotherNodeAreReleasedAfterTheGracePeriod() throws Exception {
        api.admin().pods().inNamespace("x").resource(pod("x", "a", NODE)).create();
        api.admin().pods().inNamespace("x").resource(pod("x", "b", "node-2")).create();
        handler.add(add("c-a", "x", "a"));
        handler.add(add("c-b", "x", "b"));       // its pod runs on another node now
        handler.add(add("c-gone", "x", "gone")); // deleted while the agent was down
        long started = System.nanoTime();

        startGc();

        // The store is cleared last (after detach and release), so it tells when a release is complete.
        await("the two stale attachments released", () -> store.all().size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("released only after the grace period")
                .isGreaterThanOrEqualTo(GRACE);
        assertThat(store.all()).extracting(r -> r.key().containerId()).containsExactly("c-a");
        assertThat(ipam.allocations()).extracting(a -> a.attachment().containerId()).containsExactly("c-a");
        assertThat(pods.calls()).contains("detach [c-b, eth0]", "detach [c-gone, eth0]")
                .doesNotContain("detach [c-a, eth0]");
    }

    @Test
    void aDeletedPodLosesItsAttachmentAfterTheGracePeriodUnlessTheRuntimeDeletesItFirst() throws Exception {
        api.admin().pods().inNamespace("x").resource(pod("x", "a", NODE)).create();
        api.admin().pods().inNamespace("x").resource(pod("x", "b", NODE)).create();
        api.admin().pods().inNamespace("x").resource(pod("x", "c", NODE)).create();
        handler.add(add("c-a", "x", "a"));
        handler.add(add("c-b", "x", "b"));
        handler.add(add("c-c", "x", "c"));
        startGc();
        Thread.sleep(GRACE.toMillis() + 500);
        assertThat(attachedContainers()).as("nothing released while every pod exists")
                .containsExactlyInAnyOrder("c-a", "c-b", "c-c");

        // a: deleted without the runtime's DEL; b: deleted, and the runtime's DEL comes at once.
        api.admin().pods().inNamespace("x").withName("a").delete();
        api.admin().pods().inNamespace("x").withName("b").delete();
        handler.del(del("c-b"));
        long deleted = System.nanoTime();
        await("c-a released", () -> store.all().size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - deleted)).isGreaterThanOrEqualTo(GRACE.minusMillis(100));
        Thread.sleep(500);
        assertThat(pods.calls().stream().filter(c -> c.equals("detach [c-b, eth0]")))
                .as("b was deleted once, by the runtime's DEL").hasSize(1);
        assertThat(store.all()).extracting(r -> r.key().containerId()).containsExactly("c-c");
        assertThat(ipam.allocations()).extracting(a -> a.attachment().containerId()).containsExactly("c-c");
    }

    @Test
    void anOutageReleasesNothingAndWhatWasDeletedMeanwhileIsReleasedAfterTheApiServerIsBack() throws Exception {
        api.admin().pods().inNamespace("x").resource(pod("x", "a", NODE)).create();
        api.admin().pods().inNamespace("x").resource(pod("x", "b", NODE)).create();
        handler.add(add("c-a", "x", "a"));
        handler.add(add("c-b", "x", "b"));
        startGc();
        await("the Pods listed and watched", gc::isCurrent);

        api.stop();
        // While the agent cannot see it: pod a is deleted, pod c created and attached (ADD needs no API server).
        api.admin().pods().inNamespace("x").withName("a").delete();
        api.admin().pods().inNamespace("x").resource(pod("x", "c", NODE)).create();
        handler.add(add("c-c", "x", "c"));
        Thread.sleep(GRACE.toMillis() * 2 + 1000);
        assertThat(attachedContainers()).as("nothing released while the API server is unreachable")
                .containsExactlyInAnyOrder("c-a", "c-b", "c-c");

        api.restart();
        long back = System.nanoTime();
        await("c-a released after the API server is back", () -> store.all().size() == 2);
        assertThat(Duration.ofNanos(System.nanoTime() - back)).as("resync and grace period")
                .isLessThan(GRACE.plusSeconds(8));
        Thread.sleep(GRACE.toMillis() + 500);
        assertThat(attachedContainers()).containsExactlyInAnyOrder("c-b", "c-c");
        assertThat(ipam.allocations()).extracting(a -> a.attachment().containerId())
                .containsExactlyInAnyOrder("c-b", "c-c");
    }

    @Test
    void anAttachmentWhosePodTheInformerMissesButTheApiServerHasIsKept() throws Exception {
        // The informer only sees pods in namespace "seen"; pod y/a exists but is never listed.
        api.admin().pods().inNamespace("y").resource(pod("y", "a", NODE)).create();
        handler.add(add("c-a", "y", "a"));
        gc = new PodAttachmentGc(agentClient, NODE, agentClient.pods().inNamespace("seen"), store,
                handler::releaseOrphan, GRACE);
        gc.start();

        Thread.sleep(GRACE.toMillis() * 2 + 1000);
        assertThat(attachedContainers()).containsExactly("c-a");
        assertThat(store.get(new AttachmentKey("c-a", "eth0"))).isPresent();
    }

    private Set<String> attachedContainers() {
        return ipam.allocations().stream().map(IpamAllocation::attachment).map(a -> a.containerId())
                .collect(Collectors.toSet());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("within 20 s: %s", what).isTrue();
            Thread.sleep(50);
        }
    }

    private static CniRequest add(String containerId, String ns, String pod) {
        return new CniRequest(CniCommand.ADD, "1.0.0", "trellis", Optional.of(containerId), Optional.of("eth0"),
                Optional.of("/var/run/netns/" + containerId), Map.of("K8S_POD_NAMESPACE", ns, "K8S_POD_NAME", pod),
                CONFIG, Optional.empty(), List.of());
    }

    private static CniRequest del(String containerId) {
        return new CniRequest(CniCommand.DEL, "1.0.0", "trellis", Optional.of(containerId), Optional.of("eth0"),
                Optional.empty(), Map.of(), CONFIG, Optional.empty(), List.of());
    }
}
