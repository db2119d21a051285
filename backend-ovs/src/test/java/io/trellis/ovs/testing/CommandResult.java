package io.trellis.ovs.testing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What a finished external command left behind: its argv, exit code and both output streams. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {
    public CommandResult {
        argv = List.copyOf(requireNonNull(argv, "argv"));
        requireNonNull(stdout, "stdout");
        requireNonNull(stderr, "stderr");
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns stdout, or throws with the command, exit code and stderr when the command failed. */
    public String stdoutOrThrow() {
        if (!succeeded()) {
            throw new CommandFailedException(this);
        }
        return stdout;
    }
}
