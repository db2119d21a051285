package io.trellis.cni.plugin;

import static java.util.Objects.requireNonNull;

/** What one invocation prints and how it exits: stdout carries the result or the error JSON, stderr a log line. */
public record PluginOutcome(int exitCode, String stdout, String stderr) {
    public PluginOutcome {
        requireNonNull(stdout, "stdout");
        requireNonNull(stderr, "stderr");
    }
}
