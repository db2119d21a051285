package io.trellis.iptables.exec;

import java.util.List;

/** Runs a program to completion with some standard input and returns its result. */
@FunctionalInterface
public interface CommandRunner {

    /** The outcome of one run. */
    record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs {@code argv} with {@code stdin} as its input.
     *
     * @throws IllegalStateException when it cannot be started or does not finish in time
     */
    Result run(List<String> argv, String stdin);
}
