package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    @Test
    void rewritingASectionKeepsTheOthers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("docs/benchmarks.md");
        BenchReport report = new BenchReport(file);
        report.writeSection("a", "## a\nfirst");
        report.writeSection("b", "## b\nother");
        report.writeSection("a", "## a\nsecond");

        String doc = Files.readString(file);
        assertThat(doc).startsWith("# Benchmarks").contains("second").contains("other").doesNotContain("first");
        assertThat(doc.indexOf("## a")).isLessThan(doc.indexOf("## b"));
    }
}
