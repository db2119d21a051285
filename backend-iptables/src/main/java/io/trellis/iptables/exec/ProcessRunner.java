package io.trellis.iptables.exec;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Runs programs as child processes of the calling thread, so in the calling thread's network
 * namespace (the agent's: the node's).
 */
public final class ProcessRunner implements CommandRunner {

    private final Duration timeout;

    public ProcessRunner(Duration timeout) {
        this.timeout = requireNonNull(timeout, "timeout");
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        requireNonNull(argv, "argv");
        requireNonNull(stdin, "stdin");
        try {
            Process process = new ProcessBuilder(argv).start();
            // One reader thread per stream: a child blocked on a full stderr pipe would never exit.
            FutureTask<byte[]> out = drain(process.getInputStream(), "stdout of " + argv.get(0));
            FutureTask<byte[]> err = drain(process.getErrorStream(), "stderr of " + argv.get(0));
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The child exited before reading everything; its exit status and stderr say why.
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish within " + timeout.toMillis()
                        + " ms");
            }
            return new Result(process.exitValue(), text(out), text(err));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + argv.get(0), e);
        }
    }

    private static FutureTask<byte[]> drain(InputStream stream, String name) {
        FutureTask<byte[]> task = new FutureTask<>(() -> {
            try (InputStream s = stream; ByteArrayOutputStream buffer = new ByteArrayOutputStream()) {
                s.transferTo(buffer);
                return buffer.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Thread reader = new Thread(task, name);
        reader.setDaemon(true);
        reader.start();
        return task;
    }

    private static String text(FutureTask<byte[]> stream) throws InterruptedException {
        try {
            return new String(stream.get(), StandardCharsets.UTF_8);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading a child's output failed", e.getCause());
        }
    }
}
