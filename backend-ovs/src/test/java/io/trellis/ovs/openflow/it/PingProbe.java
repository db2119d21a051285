package io.trellis.ovs.openflow.it;

import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.testing.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A continuous probe stream: {@code ping} from one pod to another every 2 ms, in the background.
 * Each echo request and its reply cross the bridge, so a request or reply that meets a moment
 * without a forwarding flow is counted as lost.
 */
final class PingProbe {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    /** What the stream saw. */
    record Result(int transmitted, int received, String output) {
        int lost() {
            return transmitted - received;
        }
    }

    private final Process process;

    private PingProbe(Process process) {
        this.process = process;
    }

    static PingProbe start(OvsSandbox sandbox, Pod from, Pod to, int count) {
        return new PingProbe(sandbox.spawn(from.netns(),
                List.of("ping", "-q", "-n", "-i", "0.002", "-W", "1", "-c", Integer.toString(count), to.ipv4())));
    }

    boolean running() {
        return process.isAlive();
    }

    Result await() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("ping probe did not finish within 60 s");
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = SUMMARY.matcher(out);
            if (!m.find()) {
                throw new AssertionError("no ping summary in: " + out);
            }
            return new Result(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), out.strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
