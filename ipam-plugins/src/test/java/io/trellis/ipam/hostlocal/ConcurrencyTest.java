package io.trellis.ipam.hostlocal;

import static io.trellis.ipam.hostlocal.HostLocalIpamDriverTest.address;
import static io.trellis.ipam.hostlocal.HostLocalIpamDriverTest.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.ipam.IpamAllocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CNI server calls the driver from many threads at once. */
class ConcurrencyTest {
    private static final int THREADS = 12;
    private static final int PER_THREAD = 25;

    @TempDir
    Path stateDir;

    @Test
    void concurrentAllocationsAreAllDistinctAndAllOnDisk() throws Exception {
        List<IpamAllocation> all = new ArrayList<>();
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.0.0/23"))) {
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<List<IpamAllocation>>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    Callable<List<IpamAllocation>> task = () -> {
                        start.await();
                        List<IpamAllocation> mine = new ArrayList<>();
                        for (int i = 0; i < PER_THREAD; i++) {
                            mine.add(driver.allocate(pod("t" + thread + "-" + i)));
                            // A repeated ADD racing with the others must still get the same answer.
                            assertThat(driver.allocate(pod("t" + thread + "-" + i))).isEqualTo(mine.get(i));
                        }
                        return mine;
                    };
                    results.add(pool.submit(task));
                }
                start.countDown();
                for (Future<List<IpamAllocation>> result : results) {
                    all.addAll(result.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(all).hasSize(THREADS * PER_THREAD);
            Set<String> addresses = new HashSet<>();
            all.forEach(a -> addresses.add(address(a)));
            assertThat(addresses).as("every attachment got its own address").hasSize(THREADS * PER_THREAD);
            assertThat(driver.allocations()).containsExactlyInAnyOrderElementsOf(all);
        }
        try (Stream<Path> files = Files.list(stateDir.resolve("allocations"))) {
            assertThat(files.count()).isEqualTo(THREADS * PER_THREAD);
        }
        try (HostLocalIpamDriver reopened = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.244.0.0/23"))) {
            assertThat(reopened.allocations()).containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    void concurrentReleasesAndAllocationsNeverShareAnAddress() throws Exception {
        try (HostLocalIpamDriver driver = HostLocalIpamDriver.open(stateDir, PodCidrSource.fixed("10.0.0.0/26"))) { // 61 usable
            for (int i = 0; i < 40; i++) {
                driver.allocate(pod("old" + i));
            }
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        for (int i = thread; i < 40; i += 2) {
                            driver.release(pod("old" + i));
                        }
                        return null;
                    }));
                    results.add(pool.submit(() -> {
                        start.await();
                        // 40 held + 2 x 10 new = 60 <= 61: the range never runs out, whatever the interleaving.
                        for (int i = 0; i < 10; i++) {
                            driver.allocate(pod("new" + thread + "-" + i));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> result : results) {
                    result.get();
                }
            } finally {
                pool.shutdownNow();
            }
            List<IpamAllocation> left = driver.allocations();
            assertThat(left).hasSize(20);
            assertThat(left).extracting(HostLocalIpamDriverTest::address).doesNotHaveDuplicates();
            assertThat(left).extracting(a -> a.attachment().pod().name()).allMatch(name -> name.startsWith("new"));
        }
    }
}
