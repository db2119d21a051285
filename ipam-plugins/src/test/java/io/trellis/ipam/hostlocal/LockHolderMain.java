package io.trellis.ipam.hostlocal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A second process for {@link StateDirLockTest}: opens a driver on the dir given as argument, prints
 * {@code locked}, and holds it until its standard input closes.
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws IOException {
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(Path.of(args[0]), PodCidrSource.fixed("10.244.1.0/24"))) {
            driver.allocate(HostLocalIpamDriverTest.pod("from-other-process"));
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // Hold the lock until the parent closes our stdin.
            }
        }
        System.out.println("released");
    }
}
