package io.trellis.ipam.hostlocal;

import static io.trellis.ipam.hostlocal.HostLocalIpamDriverTest.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.ipam.IpamException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirLockTest {

    @TempDir
    Path stateDir;

    @Test
    void aSecondDriverInTheSameProcessIsRefusedUntilTheFirstCloses() {
        HostLocalIpamDriver first = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.1.0/24"));
        try {
            assertThatThrownBy(() -> HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.1.0/24")))
                    .isInstanceOf(IpamException.class)
                    .hasMessage("IPAM state dir " + stateDir + " is already open in this process; open it once and share the driver");
        } finally {
            first.close();
        }
        try (HostLocalIpamDriver second = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.1.0/24"))) {
            assertThat(second.allocate(pod("a")).addresses()).hasSize(1);
        }
    }

    @Test
    void anotherProcessHoldingTheDirIsNamedByPid() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process other = new ProcessBuilder(java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName(), stateDir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("the other process reports it holds the lock").isEqualTo("locked");
            assertThat(Files.readString(stateDir.resolve("lock")).trim()).isEqualTo(Long.toString(other.pid()));

            assertThatThrownBy(() -> HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.1.0/24")))
                    .isInstanceOf(IpamException.class)
                    .hasMessage("IPAM state dir " + stateDir + " is locked by another process (pid " + other.pid() + " per "
                            + stateDir.resolve("lock") + "); only one agent may use a state dir");

            other.getOutputStream().close();
            assertThat(out.readLine()).isEqualTo("released");
            assertThat(other.waitFor()).isZero();
        } finally {
            other.destroyForcibly();
        }
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.1.0/24"))) {
            assertThat(driver.allocations()).extracting(a -> a.attachment().pod().name()).containsExactly("from-other-process");
        }
    }
}
