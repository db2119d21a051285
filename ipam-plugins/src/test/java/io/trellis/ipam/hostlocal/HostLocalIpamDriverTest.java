package io.trellis.ipam.hostlocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.ipam.IpamException;
import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostLocalIpamDriverTest {

    @TempDir
    Path stateDir;

    private final List<HostLocalIpamDriver> opened = new ArrayList<>();

    @AfterEach
    void closeDrivers() {
        opened.forEach(HostLocalIpamDriver::close);
    }

    private HostLocalIpamDriver open(PodCidrSource source) {
        HostLocalIpamDriver driver = HostLocalIpamDriver.open(stateDir, source);
        opened.add(driver);
        return driver;
    }

    private HostLocalIpamDriver open(String... cidrs) {
        return open(PodCidrSource.fixed(cidrs));
    }

    static PodAttachment pod(String name) {
        return new PodAttachment("cid-" + name, "eth0", new PodRef("default", name));
    }

    static String address(IpamAllocation allocation) {
        return allocation.addresses().get(0).address().getHostAddress();
    }

    @Test
    void allocatesFromTheSecondHostAddressWithPrefixAndGateway() {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        IpamAllocation a = driver.allocate(pod("a"));
        IpamAllocation b = driver.allocate(pod("b"));
        assertThat(a.attachment()).isEqualTo(pod("a"));
        IpAddress ip = a.addresses().get(0);
        assertThat(ip.cidr()).isEqualTo("10.244.1.2/24");
        assertThat(ip.gateway()).get().extracting(g -> g.getHostAddress()).isEqualTo("10.244.1.1");
        assertThat(address(b)).isEqualTo("10.244.1.3");
    }

    @Test
    void repeatedAddReturnsTheSameAddresses() {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        IpamAllocation first = driver.allocate(pod("a"));
        assertThat(driver.allocate(pod("a"))).isEqualTo(first);
        assertThat(driver.allocations()).hasSize(1);
        assertThat(driver.get(pod("a"))).contains(first);
        // Another interface of the same sandbox is another attachment.
        PodAttachment net1 = new PodAttachment("cid-a", "net1", new PodRef("default", "a"));
        assertThat(address(driver.allocate(net1))).isEqualTo("10.244.1.3");
    }

    @Test
    void sameAttachmentKeyForAnotherPodIsRefused() {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        driver.allocate(pod("a"));
        PodAttachment impostor = new PodAttachment("cid-a", "eth0", new PodRef("other", "x"));
        assertThatThrownBy(() -> driver.allocate(impostor))
                .isInstanceOf(IpamException.class)
                .hasMessage("attachment cid-a/eth0 already holds 10.244.1.2 for pod default/a, not for pod other/x");
    }

    @Test
    void releaseThenAllocateMovesOnRoundRobinAndWraps() {
        HostLocalIpamDriver driver = open("10.0.0.0/29"); // usable .2 .. .6
        driver.allocate(pod("a")); // .2
        driver.allocate(pod("b")); // .3
        driver.release(pod("a"));
        assertThat(driver.get(pod("a"))).isEmpty();
        assertThat(address(driver.allocate(pod("c")))).as("the just-released .2 is not reused first").isEqualTo("10.0.0.4");
        assertThat(address(driver.allocate(pod("d")))).isEqualTo("10.0.0.5");
        assertThat(address(driver.allocate(pod("e")))).isEqualTo("10.0.0.6");
        assertThat(address(driver.allocate(pod("f")))).as("wraps to the freed .2").isEqualTo("10.0.0.2");
    }

    @Test
    void releaseOfAnUnknownAttachmentIsANoOp() {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        driver.allocate(pod("a"));
        driver.release(pod("never"));
        driver.release(pod("a"));
        driver.release(pod("a"));
        assertThat(driver.allocations()).isEmpty();
        assertThat(stateDir.resolve("allocations")).isEmptyDirectory();
    }

    @Test
    void exhaustionNamesTheCidrAndHowManyAreInUse() {
        HostLocalIpamDriver driver = open("10.0.0.0/29");
        for (String name : List.of("a", "b", "c", "d", "e")) {
            driver.allocate(pod(name));
        }
        assertThatThrownBy(() -> driver.allocate(pod("f")))
                .isInstanceOf(IpamException.class)
                .hasMessage("pod CIDR 10.0.0.0/29 is exhausted: all 5 usable addresses are in use (5 allocated)");
        assertThat(driver.get(pod("f"))).isEmpty();
        driver.release(pod("c"));
        assertThat(address(driver.allocate(pod("f")))).isEqualTo("10.0.0.4");
    }

    @Test
    void garbageCollectionReleasesTheOthersAndReturnsThem() {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        driver.allocate(pod("a"));
        driver.allocate(pod("b"));
        driver.allocate(pod("c"));
        // Compared by (containerId, ifName): the alive entry's pod reference does not have to match.
        PodAttachment aliveB = new PodAttachment("cid-b", "eth0", new PodRef("default", "renamed"));
        Set<PodAttachment> released = driver.garbageCollect(Set.of(pod("a"), aliveB, pod("unknown")));
        assertThat(released).containsExactly(pod("c"));
        assertThat(driver.allocations()).extracting(IpamAllocation::attachment).containsExactly(pod("a"), pod("b"));
        assertThat(driver.garbageCollect(Set.of())).containsExactlyInAnyOrder(pod("a"), pod("b"));
        assertThat(driver.allocations()).isEmpty();
    }

    @Test
    void aNewDriverOverTheSameDirSeesTheSameAllocationsAndCursor() {
        HostLocalIpamDriver first = open("10.244.1.0/24");
        IpamAllocation a = first.allocate(pod("a"));
        IpamAllocation b = first.allocate(pod("b"));
        first.release(pod("b"));
        first.close();

        HostLocalIpamDriver second = open("10.244.1.0/24");
        assertThat(second.allocations()).containsExactly(a);
        assertThat(second.get(pod("a"))).contains(a);
        assertThat(second.allocate(pod("a"))).isEqualTo(a);
        assertThat(address(second.allocate(pod("c"))))
                .as("round-robin continues after the last reservation (.3, released) rather than reusing it")
                .isEqualTo("10.244.1.4");
        assertThat(address(b)).isEqualTo("10.244.1.3");
    }

    @Test
    void writesOneReadableFilePerAllocationNamedByItsAddresses() throws Exception {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        driver.allocate(pod("a"));
        Path file = stateDir.resolve("allocations/10.244.1.2.json");
        assertThat(file).exists();
        assertThat(Files.readString(file)).contains("\"containerId\" : \"cid-a\"", "\"cidr\" : \"10.244.1.0/24\"");
        try (Stream<Path> files = Files.list(stateDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("allocations", "last-reserved.json", "lock");
        }
    }

    @Test
    void withoutPodCidrAllocationFailsClearlyUntilTheNodeHasOne() {
        AtomicReference<List<IpPrefix>> cidrs = new AtomicReference<>(List.of());
        HostLocalIpamDriver driver = open(cidrs::get);
        assertThatThrownBy(() -> driver.allocate(pod("a")))
                .isInstanceOf(IpamException.class)
                .hasMessageStartingWith("node has no podCIDR yet");
        cidrs.set(List.of(IpPrefix.parse("10.244.7.0/24")));
        assertThat(address(driver.allocate(pod("a")))).isEqualTo("10.244.7.2");
    }

    @Test
    void aChangedPodCidrIsRefusedWhileAllocationsOfTheOldOneExist() {
        AtomicReference<List<IpPrefix>> cidrs = new AtomicReference<>(List.of(IpPrefix.parse("10.244.1.0/24")));
        HostLocalIpamDriver driver = open(cidrs::get);
        IpamAllocation a = driver.allocate(pod("a"));
        cidrs.set(List.of(IpPrefix.parse("10.244.2.0/24")));
        assertThatThrownBy(() -> driver.allocate(pod("b")))
                .isInstanceOf(IpamException.class)
                .hasMessage("the node's IPv4 pod CIDR changed from 10.244.1.0/24 to 10.244.2.0/24 while 1 allocation(s) hold"
                        + " addresses of 10.244.1.0/24 (e.g. 10.244.1.2 for pod default/a); no address is allocated until"
                        + " they are released (CNI DEL or garbage collection)");
        // Existing allocations stay readable and repeat ADD still answers them.
        assertThat(driver.allocate(pod("a"))).isEqualTo(a);
        driver.release(pod("a"));
        assertThat(address(driver.allocate(pod("b")))).isEqualTo("10.244.2.2");
    }

    @Test
    void twoCidrsOfOneFamilyAreRefused() {
        HostLocalIpamDriver driver = open("10.244.1.0/24", "10.244.2.0/24");
        assertThatThrownBy(() -> driver.allocate(pod("a")))
                .hasMessage("node has two IPv4 pod CIDRs, 10.244.1.0/24 and 10.244.2.0/24; expected at most one per family");
    }

    @Test
    void dualStackAllocatesOneAddressPerFamilyIpv4First() throws Exception {
        HostLocalIpamDriver driver = open("fd00:10:244:1::/64", "10.244.1.0/24");
        IpamAllocation a = driver.allocate(pod("a"));
        assertThat(a.addresses()).extracting(IpAddress::cidr)
                .containsExactly("10.244.1.2/24", "fd00:10:244:1:0:0:0:2/64");
        assertThat(a.addresses().get(1).gateway()).get().extracting(g -> g.getHostAddress()).isEqualTo("fd00:10:244:1:0:0:0:1");
        assertThat(stateDir.resolve("allocations/10.244.1.2,fd00:10:244:1::2.json")).exists();
        driver.close();
        assertThat(open("10.244.1.0/24", "fd00:10:244:1::/64").get(pod("a"))).contains(a);
    }

    @Test
    void aClosedDriverRefusesCalls() {
        HostLocalIpamDriver driver = open("10.244.1.0/24");
        driver.close();
        assertThatThrownBy(() -> driver.allocate(pod("a"))).isInstanceOf(IpamException.class).hasMessageEndingWith("is closed");
    }
}
