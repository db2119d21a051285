package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CookieSchemeTest {
    private final CookieScheme cookies = new CookieScheme(0x1234);

    @Test
    void layoutIsOwnerKindStageObject() {
        assertThat(cookies.node(PipelineStage.L3_FORWARDING)).isEqualTo(0x1234_01_06_00000000L);
        assertThat(cookies.pod(PipelineStage.SPOOF_GUARD, 300)).isEqualTo(0x1234_02_02_0000012cL);
    }

    @Test
    void ownerMaskSelectsEveryFlowOfTheOwnerAndNoOther() {
        long other = new CookieScheme(0x1235).node(PipelineStage.CLASSIFIER);
        for (PipelineStage stage : PipelineStage.values()) {
            assertThat(cookies.node(stage) & cookies.ownerMask()).isEqualTo(cookies.ownerValue());
            assertThat(cookies.pod(stage, 7) & cookies.ownerMask()).isEqualTo(cookies.ownerValue());
            assertThat(cookies.owns(cookies.pod(stage, 65279))).isTrue();
        }
        assertThat(cookies.owns(other)).isFalse();
        assertThat(cookies.owns(0)).as("a flow added by hand, cookie 0").isFalse();
    }

    @Test
    void podMaskSelectsEveryStageOfOnePodOnly() {
        for (PipelineStage stage : PipelineStage.values()) {
            assertThat(cookies.pod(stage, 11) & cookies.podMask()).isEqualTo(cookies.podValue(11));
            assertThat(cookies.pod(stage, 12) & cookies.podMask()).isNotEqualTo(cookies.podValue(11));
            assertThat(cookies.node(stage) & cookies.podMask()).isNotEqualTo(cookies.podValue(11));
        }
        assertThat(new CookieScheme(0x1235).pod(PipelineStage.CLASSIFIER, 11) & cookies.podMask())
                .isNotEqualTo(cookies.podValue(11));
    }

    @Test
    void rejectsOutOfRangeOwnersAndPorts() {
        assertThatThrownBy(() -> new CookieScheme(0)).hasMessageContaining("cookie owner: 0 out of range");
        assertThatThrownBy(() -> new CookieScheme(0x10000)).hasMessageContaining("65536 out of range");
        assertThatThrownBy(() -> cookies.pod(PipelineStage.CLASSIFIER, 0)).hasMessageContaining("ofport: 0");
        assertThatThrownBy(() -> cookies.podValue(0xff00)).hasMessageContaining("ofport: 65280");
    }
}
