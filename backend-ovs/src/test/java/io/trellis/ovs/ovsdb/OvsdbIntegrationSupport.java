package io.trellis.ovs.ovsdb;

import io.trellis.ovs.transport.Backoff;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Test helper: waiting on futures and conditions with bounded time and clear failure messages. */
final class OvsdbIntegrationSupport {

    static final OvsdbClientOptions FAST_OPTIONS = OvsdbClientOptions.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));

    private OvsdbIntegrationSupport() {
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within 20 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The exception a future failed with (unwrapped), or an AssertionError if it succeeded. */
    static Throwable failureOf(CompletableFuture<?> future) {
        try {
            Object value = future.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future neither failed nor completed within 20 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void eventually(String what, BooleanSupplier condition) {
        eventually(what, condition, () -> "");
    }

    /** Like {@link #eventually(String, BooleanSupplier)}; {@code state} describes what was seen, for the failure message. */
    static void eventually(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 20 s waiting until " + what + state.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
