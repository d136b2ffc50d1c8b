package org.mailcert.agent.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: columns separated by two spaces and aligned, empty cells shown as {@code -},
 * no trailing spaces. With a header it is a listing; without, a key/value block.
 */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> header) {
        this.header = header;
    }

    /** A listing with these column titles. */
    static Table columns(String... titles) {
        return new Table(List.of(titles));
    }

    /** A key/value block. */
    static Table keyValue() {
        return new Table(List.of());
    }

    /** Adds a row; null or blank cells render as {@code -}. */
    Table row(String... cells) {
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    /** The table as text, each line ending in a newline. */
    String render() {
        List<List<String>> all = new ArrayList<>();
        if (!header.isEmpty()) {
            all.add(header);
        }
        all.addAll(rows);
        int columns = all.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** Null and blank become {@code -}; line breaks and control characters become spaces. */
    static String cell(String value) {
        if (value == null) {
            return "-";
        }
        String clean = value.replaceAll("\\s*\\p{Cntrl}[\\s\\p{Cntrl}]*", " ").strip();
        return clean.isEmpty() ? "-" : clean;
    }
}
