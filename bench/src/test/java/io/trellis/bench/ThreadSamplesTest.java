package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadSamplesTest {
    private static final String DUMP = """
            2026-11-26 11:10:00
            Full thread dump OpenJDK 64-Bit Server VM (17.0.21.1+2-1-deb12u1-Debian mixed mode, sharing):

            "main" #1 prio=5 os_prio=0 cpu=812.33ms elapsed=30.01s tid=0x00007f nid=0x1 waiting on condition  [0x00007f]
               java.lang.Thread.State: WAITING (parking)
            \tat jdk.internal.misc.Unsafe.park(java.base@17.0.21.1/Native Method)
            \tat java.util.concurrent.locks.LockSupport.park(java.base@17.0.21.1/LockSupport.java:341)
            \tat io.trellis.agent.TrellisAgent.run(TrellisAgent.java:170)

            "trellis-services" #31 daemon prio=5 os_prio=0 cpu=5012.10ms elapsed=20.00s tid=0x00007f nid=0x2 waiting on condition  [0x00007f]
               java.lang.Thread.State: TIMED_WAITING (parking)
            \tat jdk.internal.misc.Unsafe.park(java.base@17.0.21.1/Native Method)
            \tat java.util.concurrent.CompletableFuture.get(java.base@17.0.21.1/CompletableFuture.java:2095)
            \tat io.trellis.ovs.service.OvsServiceProxy.await(OvsServiceProxy.java:380)
            \tat io.trellis.ovs.service.OvsServiceProxy.upsert(OvsServiceProxy.java:200)

            "trellis-services-2" #32 daemon prio=5
               java.lang.Thread.State: RUNNABLE
            \tat io.trellis.ovs.pipeline.ServiceFlows.group(ServiceFlows.java:100)
            """;

    @Test
    void stackOfTheExactlyNamedThread() {
        assertThat(ThreadSamples.stackOf(DUMP, "trellis-services")).contains(List.of("jdk.internal.misc.Unsafe.park",
                "java.util.concurrent.CompletableFuture.get", "io.trellis.ovs.service.OvsServiceProxy.await",
                "io.trellis.ovs.service.OvsServiceProxy.upsert"));
        assertThat(ThreadSamples.stackOf(DUMP, "trellis-services-2")).contains(
                List.of("io.trellis.ovs.pipeline.ServiceFlows.group"));
        assertThat(ThreadSamples.stackOf(DUMP, "nope")).isEmpty();
    }

    @Test
    void placeIsTheTopFrameWithTheInnermostTrellisCaller() {
        assertThat(ThreadSamples.place(List.of("jdk.internal.misc.Unsafe.park", "java.util.concurrent.CompletableFuture.get",
                "io.trellis.ovs.service.OvsServiceProxy.await", "io.trellis.ovs.service.OvsServiceProxy.upsert")))
                .isEqualTo("jdk.internal.misc.Unsafe.park <- io.trellis.ovs.service.OvsServiceProxy.await");
        assertThat(ThreadSamples.place(List.of("io.trellis.ovs.pipeline.ServiceFlows.group")))
                .isEqualTo("io.trellis.ovs.pipeline.ServiceFlows.group");
        assertThat(ThreadSamples.place(List.of("java.lang.Thread.run"))).isEqualTo("java.lang.Thread.run");
        assertThat(ThreadSamples.place(List.of())).isEqualTo("(no Java frames)");
    }

    @Test
    void rankingCountsPlacesOverDumps() {
        ThreadSamples samples = new ThreadSamples();
        samples.add(DUMP, "trellis-services");
        samples.add(DUMP, "trellis-services");
        samples.add(DUMP, "main");
        samples.add("Full thread dump\n", "main");
        assertThat(samples.samples()).isEqualTo(4);
        assertThat(samples.ranking()).containsExactly(
                Map.entry("jdk.internal.misc.Unsafe.park <- io.trellis.ovs.service.OvsServiceProxy.await", 2),
                Map.entry("jdk.internal.misc.Unsafe.park <- io.trellis.agent.TrellisAgent.run", 1),
                Map.entry("(no thread main)", 1));
    }

    @Test
    void profileSplitsALogIntoDumps() {
        String log = "INFO agent started\n" + DUMP + "INFO between\n" + DUMP;
        Map<String, ThreadSamples> profile = ProgressObserver.profile(log, List.of("trellis-services", "main"));
        assertThat(profile.get("trellis-services").samples()).isEqualTo(2);
        assertThat(profile.get("main").ranking()).containsExactly(
                Map.entry("jdk.internal.misc.Unsafe.park <- io.trellis.agent.TrellisAgent.run", 2));
    }
}
