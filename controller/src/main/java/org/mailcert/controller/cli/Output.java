package org.mailcert.controller.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.mailcert.common.text.OutputFormat;

/**
 * Writes command results: a table for people or the response message as JSON for scripts, and
 * warnings to stderr as {@code warning: ...}.
 */
final class Output {
    /** Proto field names as in the .proto file, fields with default values included, maps sorted. */
    private static final JsonFormat.Printer PRETTY =
            JsonFormat.printer().preservingProtoFieldNames().includingDefaultValueFields().sortingMapKeys();
    private static final JsonFormat.Printer COMPACT = PRETTY.omittingInsignificantWhitespace();

    private final PrintStream out;
    private final PrintStream err;
    private final OutputFormat format;

    Output(PrintStream out, PrintStream err, OutputFormat format) {
        this.out = out;
        this.err = err;
        this.format = format;
    }

    /** Whether the user asked for JSON. */
    boolean json() {
        return format == OutputFormat.JSON;
    }

    /** Prints the response as one JSON document, or the table text. */
    void print(MessageOrBuilder response, Supplier<String> table) {
        if (json()) {
            out.println(toJson(response, PRETTY));
        } else {
            out.print(table.get());
        }
    }

    /** Prints the message as one JSON object on one line (streams, one object per line). */
    void printJsonLine(MessageOrBuilder message) {
        out.println(toJson(message, COMPACT));
        out.flush();
    }

    /** Prints text as is (a streamed table line, for example). */
    void printLine(String line) {
        out.println(line);
        out.flush();
    }

    /** Prints {@code warning: <text>} to stderr. */
    void warn(String text) {
        err.println("warning: " + Errors.oneLine(text));
    }

    private static String toJson(MessageOrBuilder message, JsonFormat.Printer printer) {
        try {
            return printer.print(message);
        } catch (InvalidProtocolBufferException e) {
            // Only an Any with an unknown type can fail, and the admin API has none.
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
