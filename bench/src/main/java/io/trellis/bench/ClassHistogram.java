package io.trellis.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The largest rows of {@code jcmd PID GC.class_histogram} (live objects after a full GC): which
 * classes hold the agent's heap.
 */
final class ClassHistogram {
    /** {@code   1:        123456       12345678  [B (java.base@17.0.21.1)}. */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s+\\(.*\\))?\\s*$");

    record Row(long instances, long bytes, String className) {
    }

    private ClassHistogram() {
    }

    /** The first {@code n} rows (the histogram is sorted by bytes, largest first). */
    static List<Row> top(String histogram, int n) {
        List<Row> rows = new ArrayList<>();
        for (String line : histogram.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(new Row(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3)));
                if (rows.size() == n) {
                    break;
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows in the class histogram: '"
                    + histogram.strip().lines().limit(3).toList() + "'");
        }
        return rows;
    }
}
