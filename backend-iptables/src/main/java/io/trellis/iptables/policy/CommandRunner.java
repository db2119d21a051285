package io.trellis.iptables.policy;

import java.util.List;

/** Runs a program to completion with some standard input (the network namespace is the runner's). */
@FunctionalInterface
interface CommandRunner {

    /** The outcome of one run. */
    record Result(int exitCode, String stdout, String stderr) {
    }

    /** @throws IllegalStateException when the program cannot be started or does not finish in time */
    Result run(List<String> argv, String stdin);
}
