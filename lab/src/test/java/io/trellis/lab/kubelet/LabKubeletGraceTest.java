package io.trellis.lab.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LabKubeletGraceTest {

    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata().withNewSpec()
                .endSpec();
    }

    @Test
    void aRunningPodHasNoGraceEnd() {
        assertThat(LabKubelet.graceEnds(pod().build())).isEmpty();
    }

    @Test
    void theGracePeriodCountsFromTheDeletionTimestamp() {
        Pod deletedWithGrace = pod().editMetadata().withDeletionTimestamp("2026-11-26T10:00:00Z")
                .withDeletionGracePeriodSeconds(5L).endMetadata().editSpec().withTerminationGracePeriodSeconds(600L)
                .endSpec().build();
        assertThat(LabKubelet.graceEnds(deletedWithGrace)).hasValue(Instant.parse("2026-11-26T10:00:05Z"));
        Pod specGrace = pod().editMetadata().withDeletionTimestamp("2026-11-26T10:00:00Z").endMetadata().editSpec()
                .withTerminationGracePeriodSeconds(600L).endSpec().build();
        assertThat(LabKubelet.graceEnds(specGrace)).hasValue(Instant.parse("2026-11-26T10:10:00Z"));
        Pod defaultGrace = pod().editMetadata().withDeletionTimestamp("2026-11-26T10:00:00Z").endMetadata().build();
        assertThat(LabKubelet.graceEnds(defaultGrace)).hasValue(Instant.parse("2026-11-26T10:00:30Z"));
    }

    @Test
    void anUnreadableDeletionTimestampStopsThePodNow() {
        Pod bad = pod().editMetadata().withDeletionTimestamp("yesterday").endMetadata().build();
        assertThat(LabKubelet.graceEnds(bad)).isEmpty();
    }
}
