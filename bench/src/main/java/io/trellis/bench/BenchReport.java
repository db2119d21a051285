package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * docs/benchmarks.md holds one section per benchmark, delimited by HTML comments, so each
 * benchmark rewrites its own section and leaves the others as they are.
 */
public final class BenchReport {

    private static final String HEADER = """
            # Benchmarks

            Numbers measured on this project's machines (2 cores, 24 GiB, Debian 12, OVS 3.1 userspace
            datapath). Each section says the command that produced it; rerun it to refresh the section.
            """;

    private final Path file;

    public BenchReport(Path file) {
        this.file = requireNonNull(file, "file");
    }

    /** Replaces (or appends) the section of benchmark {@code name} with {@code markdown}. */
    public void writeSection(String name, String markdown) {
        String begin = "<!-- bench:" + name + " begin -->";
        String end = "<!-- bench:" + name + " end -->";
        String section = begin + "\n" + markdown.strip() + "\n" + end;
        try {
            String doc = Files.exists(file) ? Files.readString(file) : HEADER;
            int from = doc.indexOf(begin);
            int to = doc.indexOf(end);
            String updated;
            if (from >= 0 && to > from) {
                updated = doc.substring(0, from) + section + doc.substring(to + end.length());
            } else {
                updated = doc.stripTrailing() + "\n\n" + section + "\n";
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, updated);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write benchmark report " + file, e);
        }
    }
}
