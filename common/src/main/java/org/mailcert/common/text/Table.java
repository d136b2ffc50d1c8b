package org.mailcert.common.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for people: columns separated by two spaces and aligned, empty cells shown
 * as {@code -}, no trailing spaces. With a header it is a listing; without, a key/value block.
 */
public final class Table {
    /** How an empty cell is shown. */
    public static final String EMPTY = "-";

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> header) {
        this.header = header;
    }

    /** A listing with these column titles. */
    public static Table columns(String... titles) {
        return new Table(List.of(titles));
    }

    /** A key/value block: one "key  value" line per entry, values aligned. */
    public static Table keyValue() {
        return new Table(List.of());
    }

    /**
     * Adds a row; null or blank cells render as {@code -}.
     *
     * @throws IllegalArgumentException if a listing's row has another number of cells than columns
     */
    public Table row(String... cells) {
        if (!header.isEmpty() && cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells for " + header.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    /** Whether rows were added. */
    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table as text, each line ending in a newline. */
    public String render() {
        return render("");
    }

    /** The table as text with every line indented by {@code indent}. */
    public String render(String indent) {
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
            out.append(line(indent, row, widths)).append('\n');
        }
        return out.toString();
    }

    /** One line with the given column widths (for tables printed as rows arrive); the last cell is not padded. */
    public static String line(String indent, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder(indent);
        for (int i = 0; i < cells.size(); i++) {
            String cell = cell(cells.get(i));
            line.append(cell);
            if (i < cells.size() - 1) {
                line.append(" ".repeat(Math.max(0, widths[i] - cell.length()) + 2));
            }
        }
        return line.toString().stripTrailing();
    }

    /** Null and blank become {@code -}; line breaks and control characters become spaces. */
    public static String cell(String value) {
        if (value == null) {
            return EMPTY;
        }
        String clean = value.replaceAll("\\s*\\p{Cntrl}[\\s\\p{Cntrl}]*", " ").strip();
        return clean.isEmpty() ? EMPTY : clean;
    }
}
