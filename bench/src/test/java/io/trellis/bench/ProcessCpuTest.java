package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void utimePlusStimeAfterACommandNameWithSpacesAndParentheses() {
        // Fields 14 (utime) = 1234 and 15 (stime) = 66 ticks.
        String stat = "4242 (java (agent) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 66 0 0 20 0 40 0 100 "
                + "2900000000 70000 18446744073709551615\n";
        assertThat(ProcessCpu.secondsOf(stat)).isEqualTo(13.0);
    }

    @Test
    void childrenCpuIsCutimePlusCstime() {
        // Fields 16 (cutime) = 250 and 17 (cstime) = 75 ticks.
        String stat = "4242 (java (agent) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 66 250 75 20 0 40 0 100 "
                + "2900000000 70000 18446744073709551615\n";
        assertThat(ProcessCpu.childSecondsOf(stat)).isEqualTo(3.25);
        assertThat(ProcessCpu.childSeconds(Integer.MAX_VALUE)).isEqualTo(0);
        assertThatThrownBy(() -> ProcessCpu.childSecondsOf("4242 (java) S 1 2 3 4 5 6 7 8 9 10 11 12 13"))
                .hasMessageContaining("fields");
    }

    @Test
    void thisProcessHasUsedSomeCpuAndAGoneOneIsMinusOne() {
        double self = ProcessCpu.seconds(ProcessHandle.current().pid());
        assertThat(self).isGreaterThan(0);
        assertThat(ProcessCpu.seconds(Integer.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void malformedStatIsNamed() {
        assertThatThrownBy(() -> ProcessCpu.secondsOf("4242 java S 1")).hasMessageContaining("(comm)");
        assertThatThrownBy(() -> ProcessCpu.secondsOf("4242 (java) S 1 2 3")).hasMessageContaining("fields");
    }
}
