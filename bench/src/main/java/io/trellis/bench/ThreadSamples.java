package io.trellis.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A poor man's profiler of the agent: {@code jcmd PID Thread.print} taken every few seconds while
 * the Services are programmed; for each sample, where one named thread was (its top frame and the
 * innermost Trellis frame below it). Counting the places over the samples shows where the time goes.
 */
final class ThreadSamples {
    private static final Pattern THREAD_HEADER = Pattern.compile("^\"([^\"]*)\".*$");
    private static final Pattern FRAME = Pattern.compile("^\\s+at ([\\w$.<>/]+)\\(.*\\)$");

    private final Map<String, Integer> places = new LinkedHashMap<>();
    private int samples;

    /** The frames ({@code package.Class.method}) of the first thread named {@code thread} in a Thread.print dump. */
    static Optional<List<String>> stackOf(String threadPrint, String thread) {
        List<String> frames = null;
        for (String line : threadPrint.lines().toList()) {
            Matcher header = THREAD_HEADER.matcher(line);
            if (header.matches()) {
                if (frames != null) {
                    break;
                }
                if (header.group(1).equals(thread)) {
                    frames = new ArrayList<>();
                }
                continue;
            }
            if (frames != null) {
                Matcher frame = FRAME.matcher(line);
                if (frame.matches()) {
                    frames.add(frame.group(1));
                }
            }
        }
        return Optional.ofNullable(frames);
    }

    /**
     * One stack as a place: the top frame, and the innermost {@code io.trellis} frame when the top
     * frame is elsewhere (a JDK or library method called from Trellis code).
     */
    static String place(List<String> frames) {
        if (frames.isEmpty()) {
            return "(no Java frames)";
        }
        String top = frames.get(0);
        if (top.startsWith("io.trellis.")) {
            return top;
        }
        return frames.stream().filter(f -> f.startsWith("io.trellis.")).findFirst().map(t -> top + " <- " + t)
                .orElse(top);
    }

    /** Records where {@code thread} was in this dump (nowhere: the thread did not exist). */
    synchronized void add(String threadPrint, String thread) {
        samples++;
        String where = stackOf(threadPrint, thread).map(ThreadSamples::place).orElse("(no thread " + thread + ")");
        places.merge(where, 1, Integer::sum);
    }

    synchronized int samples() {
        return samples;
    }

    /** Places by number of samples, most frequent first. */
    synchronized List<Map.Entry<String, Integer>> ranking() {
        return places.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }
}
