package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LatencySampleTest {

    private static List<Duration> millis(int... values) {
        return IntStream.of(values).mapToObj(Duration::ofMillis).toList();
    }

    @Test
    void nearestRankPercentilesOfAHundredSamples() {
        List<Duration> samples = new ArrayList<>(IntStream.rangeClosed(1, 100).mapToObj(Duration::ofMillis).toList());
        Collections.shuffle(samples, new java.util.Random(7));
        LatencySample s = new LatencySample("ADD", samples);
        assertThat(s.p50()).isEqualTo(50.0);
        assertThat(s.p99()).isEqualTo(99.0);
        assertThat(s.percentileMillis(1.0)).isEqualTo(100.0);
        assertThat(s.minMillis()).isEqualTo(1.0);
        assertThat(s.maxMillis()).isEqualTo(100.0);
        assertThat(s.meanMillis()).isEqualTo(50.5);
    }

    @Test
    void withFewSamplesP99IsTheLargestAndP50TheMiddle() {
        LatencySample s = new LatencySample("DEL", millis(30, 10, 20, 50, 40));
        assertThat(s.p50()).isEqualTo(30.0);
        assertThat(s.p99()).isEqualTo(50.0);
        assertThat(new LatencySample("one", millis(7)).p99()).isEqualTo(7.0);
    }

    @Test
    void keepsSubMillisecondPrecision() {
        assertThat(new LatencySample("x", List.of(Duration.ofNanos(1_234_567))).p50()).isEqualTo(1.234567);
    }

    @Test
    void rejectsNoSamplesAndBadPercentiles() {
        assertThatThrownBy(() -> new LatencySample("ADD", List.of())).hasMessage("ADD: no samples");
        assertThatThrownBy(() -> new LatencySample("ADD", millis(1)).percentileMillis(0))
                .hasMessageContaining("percentile 0.0 outside (0, 1]");
    }
}
