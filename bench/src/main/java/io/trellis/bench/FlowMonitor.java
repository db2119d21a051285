package io.trellis.bench;

import static io.trellis.bench.Pause.sleep;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The flow table changes of one bridge as they happen: {@code ovs-ofctl -O OpenFlow15 monitor SWITCH watch:}
 * (an OpenFlow 1.5 flow monitor: ovs-vswitchd sends every added, deleted or modified flow once its change is
 * committed), read line by line by a thread that stamps each update with {@link System#nanoTime()} on
 * arrival. An event source instead of polling {@code dump-flows}: the latency it sees does not include a
 * polling period or the cost of dumping tens of thousands of flows.
 */
final class FlowMonitor implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final BlockingQueue<FlowEvent> events = new LinkedBlockingQueue<>();
    private final AtomicLong pauses = new AtomicLong();
    private volatile String lastOther = "";

    FlowMonitor(Path mgmtSocket) {
        List<String> command = List.of("ovs-ofctl", "-O", "OpenFlow15", "--no-names", "monitor", "unix:" + mgmtSocket,
                "watch:");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        reader = new Thread(this::read, "flow-monitor");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                var event = FlowEvent.parse(line, now);
                if (event.isPresent()) {
                    events.add(event.get());
                    continue;
                }
                if (line.contains("FLOW_MONITOR reply")) {
                    continue;   // a header: the updates follow on their own lines
                }
                if (line.contains("PAUSED")) {
                    pauses.incrementAndGet();   // ovs-vswitchd dropped updates while we lagged behind
                } else if (!line.isBlank()) {
                    lastOther = line.strip();
                }
            }
        } catch (IOException e) {
            lastOther = "read failed: " + e.getMessage();
        }
    }

    /**
     * Waits until the monitor's initial listing has been read (it has no end marker of its own: the listing
     * is complete once the queue stops growing), then returns it and empties the queue.
     */
    List<FlowEvent> awaitInitial(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int size = -1;
        while (events.size() != size || events.isEmpty()) {
            size = events.size();
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the flow monitor listed no flows within " + timeout
                        + (lastOther.isEmpty() ? "" : " (it printed: " + lastOther + ")"));
            }
            sleep(300);
        }
        List<FlowEvent> initial = new java.util.ArrayList<>();
        events.drainTo(initial);
        return initial;
    }

    /** Forgets the updates read so far (those of earlier changes). */
    void drain() {
        events.clear();
    }

    /** The first update from now on (queued ones included) that {@code wanted} accepts; skips the others. */
    FlowEvent await(Predicate<FlowEvent> wanted, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("no flow update on the bridge showed " + what + " within " + timeout);
            }
            FlowEvent e;
            try {
                e = events.poll(Math.min(left, 500_000_000L), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, ex);
            }
            if (e == null) {
                checkAlive();
            } else if (wanted.test(e)) {
                return e;
            }
        }
    }

    /** How many times ovs-vswitchd paused the monitor (updates lost): the latencies then come from a gap. */
    long pauses() {
        return pauses.get();
    }

    private void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("ovs-ofctl monitor exited with " + process.exitValue()
                    + (lastOther.isEmpty() ? "" : ": " + lastOther));
        }
    }

    @Override
    public void close() {
        HostCommand.kill(process);
        try {
            reader.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "flow monitor";
    }
}
