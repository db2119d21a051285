package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.service.ServiceRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HostStateUpdatesTest {

    private static final DesiredService A = new DesiredService(new ServiceRef("default", "a"), Map.of(), 0);
    private static final DesiredService B = new DesiredService(new ServiceRef("default", "b"), Map.of(), 0);

    /** Records every apply's Services. */
    private final List<List<DesiredService>> applied = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aBatchOfChangesIsAppliedOnceWithTheLatestServices() throws InterruptedException {
        AtomicLong version = new AtomicLong();
        List<DesiredService> current = Collections.synchronizedList(new ArrayList<>());
        try (HostStateUpdates updates = new HostStateUpdates(s -> applied.add(List.copyOf(s)),
                () -> new HostStateUpdates.Snapshot(version.get(), current), Duration.ofMillis(200),
                Duration.ofSeconds(5))) {
            for (int i = 0; i < 100; i++) {
                current.add(i % 2 == 0 ? A : B);
                version.incrementAndGet();
                updates.changed();
            }
            awaitApplies(1);
            Thread.sleep(400); // no second apply follows
            assertThat(applied).hasSize(1);
            assertThat(applied.get(0)).hasSize(100);
        }
    }

    @Test
    void aVersionIsAppliedOnceAndAnOlderSnapshotNeverOverANewerOne() {
        try (HostStateUpdates updates = new HostStateUpdates(s -> applied.add(List.copyOf(s)),
                () -> new HostStateUpdates.Snapshot(0, List.of()), Duration.ofMillis(10), Duration.ofSeconds(5))) {
            updates.applyNow(new HostStateUpdates.Snapshot(2, List.of(A, B)));
            updates.applyNow(new HostStateUpdates.Snapshot(1, List.of(A)));
            updates.applyNow(new HostStateUpdates.Snapshot(2, List.of(A, B))); // the same version again: not re-applied
            updates.applyNow(new HostStateUpdates.Snapshot(3, List.of(A, B))); // a new version, same Services: applied
            assertThat(applied).containsExactly(List.of(A, B), List.of(A, B));
        }
    }

    @Test
    void aFailedApplyIsRetried() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        try (HostStateUpdates updates = new HostStateUpdates(s -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("iptables-restore failed");
            }
            applied.add(List.copyOf(s));
        }, () -> new HostStateUpdates.Snapshot(1, List.of(A)), Duration.ofMillis(10), Duration.ofMillis(100))) {
            updates.changed();
            awaitApplies(1);
            assertThat(calls).hasValue(2);
            assertThat(applied).containsExactly(List.of(A));
        }
    }

    private void awaitApplies(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (applied.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(applied).as("applies").hasSizeGreaterThanOrEqualTo(count);
    }
}
