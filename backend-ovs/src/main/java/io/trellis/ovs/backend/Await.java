package io.trellis.ovs.backend;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking on the OVS clients' futures: the SPI is synchronous, CNI calls wait for the data plane. */
final class Await {

    private Await() {
    }

    /**
     * The future's value; its failure is rethrown unwrapped when unchecked (so callers see the OVSDB
     * or OpenFlow error itself), and a timeout names {@code what}.
     */
    static <T> T result(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new IllegalStateException(what + ": no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        }
    }
}
