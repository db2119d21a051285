package io.trellis.ipam.hostlocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.spi.ipam.IpamException;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostLocalStateReaderTest {

    @TempDir
    Path stateDir;

    private final HostLocalStateReader reader = new HostLocalStateReader();

    private static PodAttachment pod(String name) {
        return new PodAttachment("cid-" + name, "eth0", new PodRef("default", name));
    }

    @Test
    void readsWhatTheDriverWroteWhileItHoldsTheLockAndChangesNothing() throws Exception {
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.1.0/24"))) {
            for (int i = 0; i < 10; i++) {
                driver.allocate(pod("p" + i));
            }
            driver.release(pod("p3"));
            List<String> before = tree();

            HostLocalStateReader.Snapshot snapshot = reader.read(stateDir);

            assertThat(snapshot.allocations()).extracting(StoredAllocation::addressList).containsExactly(
                    "10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.6", "10.244.1.7", "10.244.1.8", "10.244.1.9",
                    "10.244.1.10", "10.244.1.11");
            assertThat(snapshot.allocations().get(0).attachment()).isEqualTo(pod("p0"));
            assertThat(snapshot.lastReserved()).containsEntry(Cidr.parse("10.244.1.0/24"), IpLiterals.parse("10.244.1.11"));
            assertThat(snapshot.unreadable()).isEmpty();
            assertThat(snapshot.keptAside()).isEmpty();
            assertThat(tree()).isEqualTo(before);
        }
    }

    @Test
    void reportsBadFilesWithoutMovingThemAndSkipsTemporaryOnes() throws Exception {
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.1.0/24"))) {
            driver.allocate(pod("a"));
        }
        Path allocations = stateDir.resolve("allocations");
        Files.writeString(allocations.resolve("10.244.1.9.json"), "{\"version\": 2}");
        Files.copy(allocations.resolve("10.244.1.2.json"), allocations.resolve("10.244.1.7.json"));
        Files.writeString(allocations.resolve(".10.244.1.5.json.123.tmp"), "half");
        Files.createDirectories(stateDir.resolve("corrupt"));
        Files.writeString(stateDir.resolve("corrupt/10.244.1.40.json"), "x");
        List<String> before = tree();

        HostLocalStateReader.Snapshot snapshot = reader.read(stateDir);

        assertThat(snapshot.allocations()).extracting(StoredAllocation::addressList).containsExactly("10.244.1.2");
        assertThat(snapshot.unreadable()).extracting(f -> f.file().getFileName().toString() + ": " + f.problem())
                .containsExactly(
                        "10.244.1.7.json: its addresses 10.244.1.2 do not match its name (expected 10.244.1.2.json)",
                        "10.244.1.9.json: field 'version': expected 1, got 2");
        assertThat(snapshot.keptAside()).containsExactly(stateDir.resolve("corrupt/10.244.1.40.json"));
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void anEmptyDirectoryHoldsNothingAndAMissingOneIsAnError() {
        HostLocalStateReader.Snapshot snapshot = reader.read(stateDir);
        assertThat(snapshot.allocations()).isEmpty();
        assertThat(snapshot.lastReserved()).isEmpty();
        assertThatThrownBy(() -> reader.read(stateDir.resolve("nope")))
                .isInstanceOf(IpamException.class)
                .hasMessage("host-local state dir " + stateDir.resolve("nope") + " does not exist (or is not a directory)");
    }

    private List<String> tree() throws Exception {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.map(p -> stateDir.relativize(p) + (Files.isRegularFile(p) ? " " + p.toFile().length() : ""))
                    .sorted().toList();
        }
    }
}
