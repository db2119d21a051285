package io.trellis.agent.cniserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.agent.interfacestore.AttachmentKey;
import io.trellis.agent.interfacestore.AttachmentRecord;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.agent.node.PodMtu;
import io.trellis.agent.testing.FakeIpam;
import io.trellis.agent.testing.FakePodInterfaces;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.spec.CniCommand;
import io.trellis.spi.model.PodRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pod GC's release: DEL's steps for a record, only while the store still holds that very attachment. */
class ReleaseOrphanTest {
    private static final String CONFIG = "{\"cniVersion\":\"1.0.0\",\"name\":\"trellis\",\"type\":\"trellis-cni\"}";
    private static final AttachmentKey C1 = new AttachmentKey("c1", "eth0");

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
    void releasesLikeDelDetachingReleasingAndForgetting() throws Exception {
        handler.add(request(CniCommand.ADD, "x", "a"));
        AttachmentRecord record = store.get(C1).orElseThrow();

        assertThat(handler.releaseOrphan(record)).isTrue();

        assertThat(pods.calls()).contains("detach [c1, eth0]");
        assertThat(pods.attached()).isEmpty();
        assertThat(ipam.allocations()).isEmpty();
        assertThat(store.get(C1)).isEmpty();
        assertThat(handler.releaseOrphan(record)).as("again: nothing left to release").isFalse();
    }

    @Test
    void leavesAnAttachmentAloneThatTheRuntimeDeletedAndReAddedForAnotherPod() throws Exception {
        handler.add(request(CniCommand.ADD, "x", "a"));
        AttachmentRecord stale = store.get(C1).orElseThrow();
        handler.del(request(CniCommand.DEL, "x", "a"));
        handler.add(request(CniCommand.ADD, "x", "b"));

        assertThat(handler.releaseOrphan(stale)).isFalse();

        assertThat(store.get(C1).orElseThrow().attachment().pod()).isEqualTo(new PodRef("x", "b"));
        assertThat(ipam.allocations()).hasSize(1);
        assertThat(pods.attached()).hasSize(1);
    }

    private static CniRequest request(CniCommand command, String ns, String pod) {
        Optional<String> netns = command == CniCommand.ADD ? Optional.of("/var/run/netns/p1") : Optional.empty();
        return new CniRequest(command, "1.0.0", "trellis", Optional.of("c1"), Optional.of("eth0"), netns,
                Map.of("K8S_POD_NAMESPACE", ns, "K8S_POD_NAME", pod), CONFIG, Optional.empty(), List.of());
    }
}
