package io.trellis.controlplane.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    @Test
    void doublesPerFailureUpToTheMaximum() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5));

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delay(4)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(1000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void rejectsNonsenseNamingTheValue() {
        assertThatThrownBy(() -> new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("first retry delay must be positive, got PT0S");
        assertThatThrownBy(() -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("max retry delay PT1S is below the first PT2S");
        assertThatThrownBy(() -> RetryBackoff.DEFAULT.delay(0)).hasMessageContaining("got 0");
    }
}
