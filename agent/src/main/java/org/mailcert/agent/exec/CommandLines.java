package org.mailcert.agent.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.exec.CommandLine;

/**
 * Splits a configured command string into an argument list, as Commons Exec's {@link
 * CommandLine#parse(String)} does: words separated by spaces, single or double quotes group words
 * and are removed. No shell runs: {@code $VAR}, globs, pipes and backslash escapes have no special
 * meaning (run {@code /bin/sh -c '...'} for those); an argument cannot hold both kinds of quote.
 */
public final class CommandLines {
    private CommandLines() {
    }

    /**
     * Returns the program and its arguments.
     *
     * @throws IllegalArgumentException if the text is blank or its quotes are unbalanced
     */
    public static List<String> split(String commandLine) {
        if (commandLine == null || commandLine.isBlank()) {
            throw new IllegalArgumentException("the command is empty");
        }
        CommandLine parsed;
        try {
            parsed = CommandLine.parse(commandLine);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot split the command '" + commandLine + "': " + e.getMessage(), e);
        }
        List<String> arguments = new ArrayList<>();
        for (String word : parsed.toStrings()) {
            arguments.add(unquote(word));
        }
        return List.copyOf(arguments);
    }

    /**
     * Commons Exec puts quotes back around words with spaces or quotes ({@code "a b"}, {@code 'say
     * "x"'}); passed on as they are, the program would see those quotes. Undo exactly that.
     */
    private static String unquote(String word) {
        if (word.length() >= 2) {
            char first = word.charAt(0);
            char last = word.charAt(word.length() - 1);
            String inner = word.substring(1, word.length() - 1);
            if (first == '"' && last == '"' && !inner.contains("\"")) {
                return inner;
            }
            if (first == '\'' && last == '\'' && inner.contains("\"")) {
                return inner;
            }
        }
        return word;
    }
}
