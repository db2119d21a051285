package io.trellis.ipam.hostlocal;

import static io.trellis.ipam.hostlocal.HostLocalIpamDriverTest.address;
import static io.trellis.ipam.hostlocal.HostLocalIpamDriverTest.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.ipam.IpamException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restart finds after a crash or a damaged disk: nothing silently lost, nothing handed out twice. */
class CrashSafetyTest {

    @TempDir
    Path stateDir;

    private HostLocalIpamDriver open(String cidr) {
        return HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed(cidr));
    }

    private Path allocationFile(String name) {
        return stateDir.resolve("allocations").resolve(name);
    }

    @Test
    void halfWrittenTemporaryFilesOfACrashedWriteAreDeletedAndIgnored() throws Exception {
        IpamAllocation a;
        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            a = driver.allocate(pod("a"));
        }
        // What a crash between "write temp" and "rename" leaves: the temp file, the target never created.
        Path halfAllocation = allocationFile(".10.244.1.3.json.4711.tmp");
        Files.writeString(halfAllocation, "{\"version\":1,\"containerId\":\"cid-b\",\"ifN");
        Path halfCursor = stateDir.resolve(".last-reserved.json.4712.tmp");
        Files.writeString(halfCursor, "{\"vers");

        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            assertThat(driver.allocations()).containsExactly(a);
            assertThat(halfAllocation).doesNotExist();
            assertThat(halfCursor).doesNotExist();
            assertThat(address(driver.allocate(pod("b")))).isEqualTo("10.244.1.3");
        }
        assertThat(stateDir.resolve("corrupt")).doesNotExist();
    }

    @Test
    void aCorruptAllocationFileIsReportedKeptAsideAndItsAddressStaysOutOfUse() throws Exception {
        List<String> names = List.of("a", "b", "c", "d", "e");
        try (HostLocalIpamDriver driver = open("10.0.0.0/29")) { // usable .2 .. .6
            names.forEach(n -> driver.allocate(pod(n)));
        }
        Path damaged = allocationFile("10.0.0.3.json");
        byte[] garbage = "{\"version\":1,\"containerId\":\u0000\u0000".getBytes(StandardCharsets.UTF_8);
        Files.write(damaged, garbage);
        Path kept = stateDir.resolve("corrupt/10.0.0.3.json");

        assertThatThrownBy(() -> open("10.0.0.0/29"))
                .isInstanceOf(IpamException.class)
                .hasMessageContaining(damaged + " is corrupt (not valid JSON: ")
                .hasMessageContaining("kept as " + kept)
                .hasMessageContaining("Nothing was deleted");
        assertThat(damaged).doesNotExist();
        assertThat(kept).hasBinaryContent(garbage);

        try (HostLocalIpamDriver driver = open("10.0.0.0/29")) {
            assertThat(driver.allocations()).extracting(HostLocalIpamDriverTest::address)
                    .containsExactlyInAnyOrder("10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6");
            driver.garbageCollect(java.util.Set.of());
            List<String> handedOut = new ArrayList<>();
            for (String n : List.of("f", "g", "h", "i")) {
                handedOut.add(address(driver.allocate(pod(n))));
            }
            assertThat(handedOut).containsExactlyInAnyOrder("10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6");
            assertThatThrownBy(() -> driver.allocate(pod("j")))
                    .hasMessage("pod CIDR 10.0.0.0/29 is exhausted: all 5 usable addresses are in use (4 allocated, 1 held by"
                            + " corrupt state files in " + stateDir.resolve("corrupt") + ")");
        }
        assertThat(kept).hasBinaryContent(garbage);
    }

    @Test
    void aFileWhoseContentDoesNotMatchItsNameIsCorrupt() throws Exception {
        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            driver.allocate(pod("a"));
        }
        Files.move(allocationFile("10.244.1.2.json"), allocationFile("10.244.1.9.json"));
        assertThatThrownBy(() -> open("10.244.1.0/24"))
                .hasMessageContaining(allocationFile("10.244.1.9.json") + " is corrupt (its addresses 10.244.1.2 do not match its"
                        + " name (expected 10.244.1.2.json))");
        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            assertThat(driver.allocations()).isEmpty();
            // The cursor is at .2, so seven allocations reach .9: the address the kept-aside file is named by stays out of use.
            for (int i = 0; i < 7; i++) {
                assertThat(address(driver.allocate(pod("p" + i)))).isNotEqualTo("10.244.1.9");
            }
        }
        assertThat(stateDir.resolve("corrupt/10.244.1.9.json")).exists();
    }

    @Test
    void aFileOfAnotherFormatVersionIsCorruptNamingTheField() throws Exception {
        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            driver.allocate(pod("a"));
        }
        Path file = allocationFile("10.244.1.2.json");
        Files.writeString(file, Files.readString(file).replace("\"version\" : 1", "\"version\" : 2"));
        assertThatThrownBy(() -> open("10.244.1.0/24"))
                .hasMessageContaining(file + " is corrupt (field 'version': expected 1, got 2)");
    }

    @Test
    void aCorruptCursorFileIsReportedAndKeptAside() throws Exception {
        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            driver.allocate(pod("a"));
        }
        Path cursors = stateDir.resolve("last-reserved.json");
        Files.writeString(cursors, "{\"version\":1,\"lastReserved\":{\"10.244.1.0/24\":\"10.244.9.9\"}}");
        assertThatThrownBy(() -> open("10.244.1.0/24"))
                .hasMessageContaining(cursors + " is corrupt (field 'lastReserved.10.244.1.0/24': 10.244.9.9 is not in 10.244.1.0/24)");
        assertThat(stateDir.resolve("corrupt/last-reserved.json")).exists();
        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            assertThat(driver.allocations()).extracting(HostLocalIpamDriverTest::address).containsExactly("10.244.1.2");
            assertThat(address(driver.allocate(pod("b")))).isEqualTo("10.244.1.3");
        }
    }

    @Test
    void twoValidFilesForOneAttachmentFailEveryStartAndNeitherIsMoved() throws Exception {
        try (HostLocalIpamDriver driver = open("10.244.1.0/24")) {
            driver.allocate(pod("a"));
        }
        // A second file for the same attachment, as only a hand edit could produce.
        HostRange range = new HostRange(Cidr.parse("10.244.1.0/24"));
        StoredAllocation duplicate = new StoredAllocation(pod("a"), List.of(new RangeAddress(range, IpLiterals.parse("10.244.1.5"))));
        Files.write(allocationFile("10.244.1.5.json"), new StateCodec().encodeAllocation(duplicate));

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> open("10.244.1.0/24"))
                    .hasMessageContaining(allocationFile("10.244.1.5.json") + " and " + allocationFile("10.244.1.2.json")
                            + " both hold attachment cid-a/eth0");
        }
        try (Stream<Path> files = Files.list(stateDir.resolve("allocations"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("10.244.1.2.json", "10.244.1.5.json");
        }
    }

    @Test
    void eachChangeIsOnDiskWhenTheCallReturns() throws Exception {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        try {
            driver.allocate(pod("a"));
            // Read by a fresh decoder, as a restarted agent would, while the first driver is still open.
            StoredAllocation onDisk = new StateCodec().decodeAllocation(Files.readAllBytes(allocationFile("10.244.1.2.json")));
            assertThat(onDisk.attachment()).isEqualTo(pod("a"));
            driver.release(pod("a"));
            assertThat(allocationFile("10.244.1.2.json")).doesNotExist();
            try (Stream<Path> files = Files.list(stateDir.resolve("allocations"))) {
                assertThat(files).as("no temporary file left behind").isEmpty();
            }
        } finally {
            driver.close();
        }
    }
}
