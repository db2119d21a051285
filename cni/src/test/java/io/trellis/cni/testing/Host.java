package io.trellis.cni.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands for test set-up (namespaces, links, iptables); fails the test when one fails. */
public final class Host {
    private Host() {
    }

    public static String run(String... command) {
        Result r = tryRun(command);
        assertThat(r.exitCode()).as("%s failed: %s", String.join(" ", command), r.output()).isZero();
        return r.output();
    }

    public static Result tryRun(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 30 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Fails (never skips) when the tests do not run as root. */
    public static void requireRoot(String why) {
        assertThat(run("id", "-u").strip()).as("these tests must run as root: %s", why).isEqualTo("0");
    }

    public record Result(int exitCode, String output) {
    }
}
