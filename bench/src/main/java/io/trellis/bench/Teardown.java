package io.trellis.bench;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes what was registered, last first, exactly once: from the normal path and from a shutdown hook
 * (Ctrl-C, SIGTERM), whichever comes first. A failing step is reported and does not stop the others.
 */
final class Teardown implements AutoCloseable {
    private final Deque<AutoCloseable> steps = new ArrayDeque<>();
    private boolean closed;

    synchronized <T extends AutoCloseable> T register(T step) {
        if (closed) {
            throw new IllegalStateException("already torn down");
        }
        steps.push(step);
        return step;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!steps.isEmpty()) {
            AutoCloseable step = steps.pop();
            try {
                step.close();
            } catch (Exception e) {
                System.err.println("warning: teardown of " + step + " failed: " + e);
            }
        }
    }
}
