package io.trellis.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns separated by two spaces, each as wide as its widest cell; numeric columns right-aligned so that
 * counters line up. The last column is not padded (no trailing blanks).
 */
final class TextTable {
    private final List<String> header;
    private final boolean[] numeric;
    private final List<List<String>> rows = new ArrayList<>();

    /** {@code numericColumns}: indexes of the columns to right-align. */
    TextTable(List<String> header, int... numericColumns) {
        this.header = List.copyOf(requireNonNull(header, "header"));
        this.numeric = new boolean[header.size()];
        for (int i : numericColumns) {
            numeric[i] = true;
        }
    }

    TextTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells for " + header.size() + " columns");
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object cell : cells) {
            row.add(String.valueOf(cell));
        }
        rows.add(row);
        return this;
    }

    void print(PrintWriter out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        printRow(out, header, width);
        rows.forEach(row -> printRow(out, row, width));
    }

    private void printRow(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String fill = " ".repeat(width[i] - cell.length());
            if (i > 0) {
                line.append("  ");
            }
            if (numeric[i]) {
                line.append(fill).append(cell);
            } else {
                line.append(cell);
                if (i < cells.size() - 1) {
                    line.append(fill);
                }
            }
        }
        out.println(line);
    }
}
