package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClassHistogramTest {
    private static final String HISTOGRAM = """
            12395:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:        301245       41234567  [B (java.base@17.0.21.1)
               2:        290001        6960024  java.lang.String (java.base@17.0.21.1)
               3:        100000        4000000  io.fabric8.kubernetes.api.model.discovery.v1.Endpoint
            Total       691246       52194591
            """;

    @Test
    void topRowsInOrderWithoutTheModule() {
        assertThat(ClassHistogram.top(HISTOGRAM, 2)).containsExactly(
                new ClassHistogram.Row(301245, 41234567, "[B"),
                new ClassHistogram.Row(290001, 6960024, "java.lang.String"));
        assertThat(ClassHistogram.top(HISTOGRAM, 10)).hasSize(3).last()
                .isEqualTo(new ClassHistogram.Row(100000, 4000000, "io.fabric8.kubernetes.api.model.discovery.v1.Endpoint"));
    }

    @Test
    void outputWithoutRowsIsAnError() {
        assertThatThrownBy(() -> ClassHistogram.top("12395:\nAttach failed\n", 5)).hasMessageContaining("Attach failed");
    }
}
