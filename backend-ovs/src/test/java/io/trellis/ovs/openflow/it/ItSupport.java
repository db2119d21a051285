package io.trellis.ovs.openflow.it;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.Backoff;
import io.trellis.ovs.transport.NettyTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Shared pieces of the OpenFlow integration tests: client settings, waiting, ovs-ofctl files. */
final class ItSupport {

    /** Quick reconnects so the restart test does not wait for the production backoff. */
    static final OpenFlowClientConfig CONFIG = OpenFlowClientConfig.DEFAULT
            .withRequestTimeout(Duration.ofSeconds(10))
            .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0));

    private ItSupport() {
    }

    static OpenFlowClient connect(NettyTransport transport, OvsSandbox sandbox, String bridge) {
        OpenFlowClient client = new OpenFlowClient(transport, sandbox.bridgeEndpoint(bridge), CONFIG);
        await(client.connect());
        return client;
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The exception a future failed with (unwrapped), or an AssertionError if it succeeded. */
    static Throwable failureOf(CompletableFuture<?> future) {
        try {
            Object value = future.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future neither failed nor completed within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void eventually(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            sleep(20);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The groups of a bridge as ovs-ofctl dumps them, sorted by id. */
    static List<OfctlGroup> ofctlGroups(OvsSandbox sandbox, String bridge) {
        String dump = sandbox.ofctlWithOptions(List.of("-O", "OpenFlow15", "--no-names"), bridge, "dump-groups");
        return OfctlGroup.parseDump(dump).stream()
                .sorted(java.util.Comparator.comparingLong(OfctlGroup::groupId))
                .toList();
    }

    /** Writes lines to a file in the sandbox run dir, for {@code ovs-ofctl add-flows BR FILE}. */
    static Path writeLines(OvsSandbox sandbox, String fileName, List<String> lines) {
        Path file = sandbox.runDir().resolve(fileName);
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The flows of a bridge as ovs-ofctl dumps them, counters dropped, sorted for comparison. */
    static List<OfctlFlow> ofctlFlows(OvsSandbox sandbox, String bridge, String... filter) {
        return ofctlFlowsVersion(sandbox, "OpenFlow15", bridge, filter);
    }

    /** Like {@link #ofctlFlows(OvsSandbox, String, String...)} speaking the given OpenFlow version. */
    static List<OfctlFlow> ofctlFlowsVersion(OvsSandbox sandbox, String version, String bridge, String... filter) {
        String dump = sandbox.ofctlWithOptions(List.of("-O", version, "--no-names"), bridge, "dump-flows", filter);
        return OfctlFlow.parseDump(dump).stream()
                .map(OfctlFlow::withoutCounters)
                .sorted(java.util.Comparator.comparing(OfctlFlow::table).thenComparing(OfctlFlow::priority)
                        .thenComparing(f -> new java.util.TreeMap<>(f.match()).toString()))
                .toList();
    }
}
