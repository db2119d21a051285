package io.trellis.bench;

import java.nio.file.Path;

/** Reading the values of the benchmarks' command-line options; errors name the option and quote the value. */
final class BenchArgs {
    private BenchArgs() {
    }

    static int number(String option, String value) {
        try {
            return Integer.parseInt(String.valueOf(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, got '" + value + "'");
        }
    }

    static Path path(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(option + " takes a path");
        }
        return Path.of(value);
    }
}
