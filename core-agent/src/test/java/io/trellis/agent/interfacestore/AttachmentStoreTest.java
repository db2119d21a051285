package io.trellis.agent.interfacestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Route;
import io.trellis.spi.pod.InterfaceInfo;
import io.trellis.spi.pod.PodInterfaces;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachmentStoreTest {
    @TempDir
    Path dir;

    private static final PodAttachment A = new PodAttachment("c1", "eth0", new PodRef("x", "a"));

    private static PodInterfaces interfaces() throws Exception {
        return new PodInterfaces(
                Optional.of(new InterfaceInfo("veth12ab", MacAddress.parse("02:00:00:00:00:01"), Optional.empty())),
                new InterfaceInfo("eth0", MacAddress.parse("02:00:0a:f4:01:02"), Optional.of(Path.of("/var/run/netns/p1"))),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(InetAddress.getByName("10.244.1.1"))),
                        new Route(IpPrefix.parse("fd00::/64"), Optional.empty())));
    }

    @Test
    void recordsSurviveReopeningWithEveryField() throws Exception {
        AttachmentStore store = AttachmentStore.open(dir);
        AttachmentRecord pending = AttachmentRecord.pending(A, Path.of("/var/run/netns/p1"));
        store.put(pending);
        AttachmentRecord connected = pending.connected(interfaces());
        store.put(connected);
        store.put(AttachmentRecord.pending(new PodAttachment("c2", "net1", new PodRef("y", "b")), Path.of("/proc/7/ns/net")));

        AttachmentStore reopened = AttachmentStore.open(dir);
        assertThat(reopened.get(new AttachmentKey("c1", "eth0"))).contains(connected);
        assertThat(reopened.all()).hasSize(2);
        assertThat(Files.readString(dir.resolve("c1+eth0.json"))).startsWith(
                "{\"version\":1,\"containerId\":\"c1\",\"ifName\":\"eth0\",\"pod\":");

        reopened.remove(new AttachmentKey("c1", "eth0"));
        reopened.remove(new AttachmentKey("c1", "eth0"));
        assertThat(AttachmentStore.open(dir).all()).extracting(r -> r.attachment().containerId()).containsExactly("c2");
    }

    @Test
    void fileNamesCannotEscapeTheDirectory() {
        assertThat(AttachmentStore.fileName(new AttachmentKey("c1", "eth0"))).isEqualTo("c1+eth0.json");
        assertThat(AttachmentStore.fileName(new AttachmentKey("..", "a/b"))).isEqualTo("%2E.+a%2Fb.json");
        assertThat(AttachmentStore.fileName(new AttachmentKey("c", "eth0+x"))).isEqualTo("c+eth0%2Bx.json");
    }

    @Test
    void temporaryFilesOfAnInterruptedWriteAreDeleted() throws Exception {
        AttachmentStore.open(dir).put(AttachmentRecord.pending(A, Path.of("/n")));
        Files.writeString(dir.resolve(".c9+eth0.json.123.tmp"), "{\"version\":1,");
        assertThat(AttachmentStore.open(dir).all()).hasSize(1);
        assertThat(dir.resolve(".c9+eth0.json.123.tmp")).doesNotExist();
    }

    @Test
    void aDamagedFileStopsTheStartNamingTheFileAndTheProblem() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("c1+eth0.json"), "{\"version\":2,\"containerId\":\"c1\"}");
        Files.writeString(dir.resolve("c2+eth0.json"), "{\"version\":1,\"containerId\":\"c2\",\"ifName\":\"eth0\","
                + "\"pod\":{\"namespace\":\"x\",\"name\":\"a\"},\"netns\":\"/n\",\"colour\":\"red\"}");
        Files.writeString(dir.resolve("c3+eth0.json"), "{\"version\":1,\"containerId\":\"c9\",\"ifName\":\"eth0\","
                + "\"pod\":{\"namespace\":\"x\",\"name\":\"a\"},\"netns\":\"/n\"}");
        assertThatThrownBy(() -> AttachmentStore.open(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("c1+eth0.json: field 'version': expected 1, got 2")
                .hasMessageContaining("c2+eth0.json: field 'colour': unknown member")
                .hasMessageContaining("c3+eth0.json: holds attachment c9/eth0, which belongs in c9+eth0.json")
                .hasMessageContaining("the agent does not guess which pod an attachment belongs to");
    }
}
