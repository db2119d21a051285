package io.trellis.ovs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    @Test
    void aFullBucketAllowsTheBurstThenRefillsAtTheRate() {
        AtomicLong now = new AtomicLong(1_000);
        TokenBucket bucket = new TokenBucket(10, 3, now::get);
        int taken = 0;
        for (int i = 0; i < 10; i++) {
            taken += bucket.tryTake() ? 1 : 0;
        }
        assertThat(taken).as("burst").isEqualTo(3);
        now.addAndGet(99_000_000L); // 0.099 s: less than one token at 10/s
        assertThat(bucket.tryTake()).isFalse();
        now.addAndGet(1_000_000L); // 0.1 s in all
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();
        now.addAndGet(60_000_000_000L); // a minute later: full again, no more than the burst
        taken = 0;
        for (int i = 0; i < 10; i++) {
            taken += bucket.tryTake() ? 1 : 0;
        }
        assertThat(taken).isEqualTo(3);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, System::nanoTime)).hasMessageContaining("rate 0.0/s");
        assertThatThrownBy(() -> new TokenBucket(1, 0, System::nanoTime)).hasMessageContaining("burst 0");
    }
}
