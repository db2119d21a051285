package io.trellis.bench;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's memory as the benchmark reports it: the Java heap in use right after a full GC and its
 * committed capacity (from {@code jstat -gc}, KiB columns), and the process's resident set now and
 * at its peak (from {@code /proc/PID/status}, {@code VmRSS} and {@code VmHWM}).
 */
record JvmMemory(long heapUsedKib, long heapCommittedKib, long metaspaceUsedKib, long rssKib, long peakRssKib) {
    /** Heap columns of {@code jstat -gc}: survivor spaces, eden, old generation. */
    private static final List<String> USED = List.of("S0U", "S1U", "EU", "OU");
    private static final List<String> CAPACITY = List.of("S0C", "S1C", "EC", "OC");

    JvmMemory {
        for (long v : new long[] {heapUsedKib, heapCommittedKib, metaspaceUsedKib, rssKib, peakRssKib}) {
            if (v < 0) {
                throw new IllegalArgumentException("negative memory figure in " + Arrays.toString(
                        new long[] {heapUsedKib, heapCommittedKib, metaspaceUsedKib, rssKib, peakRssKib}));
            }
        }
    }

    static JvmMemory of(String jstatGc, String procStatus) {
        return new JvmMemory(Math.round(sum(jstatGc, USED)), Math.round(sum(jstatGc, CAPACITY)),
                Math.round(sum(jstatGc, List.of("MU"))), statusKib(procStatus, "VmRSS"), statusKib(procStatus, "VmHWM"));
    }

    /** The sum of the named columns of {@code jstat -gc} output (a header line, then one line of values). */
    static double sum(String jstatGc, List<String> columns) {
        List<String> lines = jstatGc.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.size() < 2) {
            throw new IllegalArgumentException("jstat -gc output needs a header and a value line, got '"
                    + jstatGc.strip() + "'");
        }
        List<String> header = List.of(lines.get(0).split("\\s+"));
        String[] values = lines.get(1).split("\\s+");
        if (values.length != header.size()) {
            throw new IllegalArgumentException("jstat -gc: " + header.size() + " columns but " + values.length
                    + " values in '" + lines.get(1) + "'");
        }
        double total = 0;
        for (String column : columns) {
            int i = header.indexOf(column);
            if (i < 0) {
                throw new IllegalArgumentException("jstat -gc output has no column " + column + ": " + header);
            }
            try {
                total += Double.parseDouble(values[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("jstat -gc column " + column + ": '" + values[i] + "' is not a number");
            }
        }
        return total;
    }

    /** A {@code kB} line of {@code /proc/PID/status}, e.g. {@code VmRSS:   123456 kB}. */
    static long statusKib(String procStatus, String field) {
        Matcher m = Pattern.compile("^" + Pattern.quote(field) + ":\\s+(\\d+) kB$", Pattern.MULTILINE).matcher(procStatus);
        if (!m.find()) {
            throw new IllegalArgumentException("/proc status has no '" + field + ": N kB' line");
        }
        return Long.parseLong(m.group(1));
    }

    static String mib(long kib) {
        return String.format(java.util.Locale.ROOT, "%.1f", kib / 1024.0);
    }
}
