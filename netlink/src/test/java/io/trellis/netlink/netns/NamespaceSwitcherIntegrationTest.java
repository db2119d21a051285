package io.trellis.netlink.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.netlink.Errno;
import io.trellis.netlink.NetlinkSocket;
import io.trellis.netlink.ethtool.Ethtool;
import io.trellis.netlink.route.Link;
import io.trellis.netlink.route.LinkSpec;
import io.trellis.netlink.route.RtNetlink;
import io.trellis.netlink.route.VethSpec;
import io.trellis.netlink.sys.SyscallException;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.netlink.testing.Shell;
import io.trellis.netlink.testing.TestNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** As root: entering namespaces with setns on a worker thread, sockets staying in the namespace they were made in. */
class NamespaceSwitcherIntegrationTest {
    private final Syscalls sys = Syscalls.system();
    private final NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
    private TestNamespaces namespaces;
    private String name;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        name = namespaces.create("s");
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private static String threadNetns() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    @Test
    void runsInTheTargetNamespaceAndLeavesTheCallerAlone() throws Exception {
        String before = threadNetns();
        long inode = (Long) Files.getAttribute(Path.of("/var/run/netns", name), "unix:ino");
        try (NetNamespace ns = NetNamespace.named(sys, name)) {
            String inside = switcher.call(ns, NamespaceSwitcherIntegrationTest::threadNetns);
            assertThat(inside).isEqualTo("net:[" + inode + "]");
            assertThat(inside).isNotEqualTo(before);
        }
        assertThat(threadNetns()).isEqualTo(before);
    }

    @Test
    void aSocketKeepsTheNamespaceItWasCreatedIn() {
        try (NetNamespace ns = NetNamespace.named(sys, name);
                RtNetlink inside = RtNetlink.openIn(sys, switcher, ns);
                NetlinkSocket raw = switcher.call(ns, () -> NetlinkSocket.openRoute(sys))) {
            // Used from this (host-namespace) thread, the requests still apply inside the test namespace.
            inside.links().createVeth(new VethSpec(LinkSpec.named("trnlq0"), LinkSpec.named("trnlq1")));
            assertThat(Shell.run("ip", "-n", name, "-o", "link", "show")).contains("trnlq0", "trnlq1");
            assertThat(new RtNetlink(raw).links().list()).extracting(Link::name)
                    .containsExactlyInAnyOrder("lo", "trnlq0", "trnlq1");
            assertThat(Shell.exec("ip", "-o", "link", "show", "trnlq0").exitCode())
                    .as("not in the host namespace").isNotZero();
        }
    }

    @Test
    void failuresInsideAreRethrownAndMissingNamespacesAreNamed() {
        try (NetNamespace ns = NetNamespace.named(sys, name)) {
            assertThatThrownBy(() -> switcher.run(ns, () -> {
                throw new IllegalArgumentException("boom");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");
            Ethtool ethtool = new Ethtool(sys, switcher);
            assertThatThrownBy(() -> ethtool.txChecksum(ns, "nosuch0"))
                    .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.is(Errno.ENODEV)).isTrue())
                    .hasMessage("ioctl(SIOCETHTOOL ETHTOOL_GTXCSUM nosuch0): No such device (ENODEV)");
        }
        assertThatThrownBy(() -> NetNamespace.named(sys, namespaces.prefix() + "zz"))
                .isInstanceOf(SyscallException.class)
                .hasMessage("open(/var/run/netns/" + namespaces.prefix() + "zz): No such file or directory (ENOENT)");
    }

    @Test
    void processNamespaceHandleMatchesTheProcess() throws Exception {
        try (NetNamespace self = NetNamespace.ofProcess(sys, sys.getpid())) {
            String processNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            assertThat(switcher.call(self, NamespaceSwitcherIntegrationTest::threadNetns)).isEqualTo(processNs);
        }
    }
}
