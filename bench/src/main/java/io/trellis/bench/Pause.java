package io.trellis.bench;

/** Sleeping without a checked exception: an interrupt ends the benchmark (the flag is kept). */
final class Pause {
    private Pause() {
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
