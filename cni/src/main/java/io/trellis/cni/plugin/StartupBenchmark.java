package io.trellis.cni.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures the executable's start-up the way a runtime pays it: spawn {@code trellis-cni} with
 * CNI_COMMAND=VERSION and the config on stdin, wait for exit; wall time per run. VERSION never
 * contacts the agent, so this is JVM start-up plus the plugin's own work.
 *
 * <pre>java -cp cni/target/trellis-cni.d/trellis-cni.jar io.trellis.cni.plugin.StartupBenchmark \
 *      [--runs 50] [--warmup 3] [EXECUTABLE (default cni/bin/trellis-cni)]</pre>
 * Prints one line: {@code trellis-cni VERSION start-up: runs=50 p50=..ms p99=..ms min=..ms max=..ms mean=..ms}.
 */
public final class StartupBenchmark {
    private StartupBenchmark() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int runs = 50;
        int warmup = 3;
        Path executable = Path.of("cni/bin/trellis-cni");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs":
                    runs = Integer.parseInt(args[++i]);
                    break;
                case "--warmup":
                    warmup = Integer.parseInt(args[++i]);
                    break;
                default:
                    executable = Path.of(args[i]);
            }
        }
        if (!Files.isExecutable(executable)) {
            System.err.println("StartupBenchmark: " + executable + " is not an executable file");
            System.exit(2);
        }
        for (int i = 0; i < warmup; i++) {
            runOnce(executable);
        }
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            millis.add(runOnce(executable));
        }
        System.out.println(summary(millis));
    }

    /** Runs VERSION once; returns the wall time in milliseconds. */
    static double runOnce(Path executable) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(executable.toString());
        pb.environment().put("CNI_COMMAND", "VERSION");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        long start = System.nanoTime();
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        double elapsed = (System.nanoTime() - start) / 1e6;
        String text = new String(out, StandardCharsets.UTF_8);
        if (rc != 0 || !text.contains("supportedVersions")) {
            throw new IllegalStateException(executable + " VERSION failed (exit " + rc + "): " + text);
        }
        return elapsed;
    }

    static String summary(List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        double mean = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return String.format("trellis-cni VERSION start-up: runs=%d p50=%.1fms p99=%.1fms min=%.1fms max=%.1fms mean=%.1fms",
                sorted.size(), percentile(sorted, 50), percentile(sorted, 99), sorted.get(0),
                sorted.get(sorted.size() - 1), mean);
    }

    /** Nearest-rank percentile of an ascending list. */
    static double percentile(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
