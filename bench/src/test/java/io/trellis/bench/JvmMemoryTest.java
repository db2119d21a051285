package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JvmMemoryTest {
    /** jstat -gc of JDK 17 (Serial GC), KiB. */
    private static final String JSTAT = """
             S0C    S1C    S0U    S1U      EC       EU        OC         OU       MC     MU    CCSC   CCSU   YGC     YGCT    FGC    FGCT    CGC    CGCT     GCT  \s
            8704.0 8704.0  0.0   512.5  69952.0   1024.0   174784.0   33280.0   55296.0 53839.1 6912.0 6102.3     41    0.212   3      0.301   -          -    0.513
            """;
    private static final String STATUS = """
            Name:\tjava
            VmPeak:\t 2900000 kB
            VmHWM:\t  290912 kB
            VmRSS:\t  284088 kB
            Threads:\t42
            """;

    @Test
    void heapUsedIsSurvivorsEdenAndOldUsed() {
        JvmMemory m = JvmMemory.of(JSTAT, STATUS);
        assertThat(m.heapUsedKib()).isEqualTo(Math.round(0.0 + 512.5 + 1024.0 + 33280.0));
        assertThat(m.heapCommittedKib()).isEqualTo(Math.round(8704.0 + 8704.0 + 69952.0 + 174784.0));
        assertThat(m.metaspaceUsedKib()).isEqualTo(53839);
        assertThat(m.rssKib()).isEqualTo(284088);
        assertThat(m.peakRssKib()).isEqualTo(290912);
        assertThat(JvmMemory.mib(m.rssKib())).isEqualTo("277.4");
    }

    @Test
    void missingColumnsAndLinesAreNamed() {
        assertThatThrownBy(() -> JvmMemory.sum(JSTAT, List.of("XU"))).hasMessageContaining("no column XU");
        assertThatThrownBy(() -> JvmMemory.sum("S0C S1C\n", List.of("S0C"))).hasMessageContaining("header and a value line");
        assertThatThrownBy(() -> JvmMemory.sum("S0C S1C\n1.0 x\n", List.of("S1C")))
                .hasMessageContaining("S1C").hasMessageContaining("'x'");
        assertThatThrownBy(() -> JvmMemory.statusKib("Name:\tjava\n", "VmRSS")).hasMessageContaining("VmRSS");
    }
}
