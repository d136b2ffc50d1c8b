package org.mailcert.controller.acme;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an admin's hook command line into words without a shell: blanks separate words, single
 * or double quotes group a word and are removed, nothing else is special ({@code $VAR}, globs,
 * pipes; run {@code /bin/sh -c '...'} for those). The agent has its own splitter in {@code
 * org.mailcert.agent.exec}, which the controller cannot reach; this one follows the same rules.
 */
final class CommandWords {
    private CommandWords() {
    }

    /**
     * The program and its arguments.
     *
     * @throws IllegalArgumentException if the line is blank or a quote is not closed
     */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : (line == null ? "" : line).toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("the hook command has an unclosed " + quote + " quote: " + line);
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("the hook command is empty");
        }
        return List.copyOf(words);
    }
}
