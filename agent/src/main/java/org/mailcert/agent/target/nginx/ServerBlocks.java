package org.mailcert.agent.target.nginx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code server} blocks of a configuration as {@code nginx -T} prints it (every file after a
 * {@code # configuration file PATH:} line), with their names and the ports they listen on: enough
 * to tell whether the admin's own configuration already serves a name on the agent's port. Not a
 * full nginx parser: comments and quotes are honoured, directives are split on {@code ;}, blocks on
 * braces.
 */
final class ServerBlocks {
    private static final Pattern FILE_HEADER = Pattern.compile("^# configuration file (.+):$");

    /**
     * One server block.
     *
     * @param file the file it is in
     * @param names its {@code server_name} values, lower-case
     * @param ports the ports of its {@code listen} directives (80 when it has none, as nginx does)
     */
    record Block(Path file, List<String> names, List<Integer> ports) {
    }

    private ServerBlocks() {
    }

    /** The server blocks of {@code nginx -T}'s output. */
    static List<Block> parse(String dump) {
        List<Block> out = new ArrayList<>();
        Path file = null;
        StringBuilder text = new StringBuilder();
        for (String line : dump.split("\n", -1)) {
            Matcher m = FILE_HEADER.matcher(line);
            if (m.matches()) {
                if (file != null) {
                    out.addAll(blocks(file, text.toString()));
                }
                file = Path.of(m.group(1));
                text.setLength(0);
            } else if (file != null) {
                text.append(line).append('\n');
            }
        }
        if (file != null) {
            out.addAll(blocks(file, text.toString()));
        }
        return out;
    }

    /** The server blocks of one file's text. */
    private static List<Block> blocks(Path file, String text) {
        List<Block> out = new ArrayList<>();
        List<String> tokens = tokens(text);
        // A stack of the block names we are in; a "server" block's directives are collected.
        List<String> stack = new ArrayList<>();
        List<String> statement = new ArrayList<>();
        List<String> names = null;
        List<Integer> ports = null;
        for (String t : tokens) {
            switch (t) {
                case "{" -> {
                    String name = statement.isEmpty() ? "" : statement.get(0);
                    stack.add(name);
                    if (name.equals("server") && !stack.contains("upstream") && !stack.contains("mail")) {
                        names = new ArrayList<>();
                        ports = new ArrayList<>();
                    }
                    statement.clear();
                }
                case "}" -> {
                    if (!stack.isEmpty()) {
                        String closed = stack.remove(stack.size() - 1);
                        if (closed.equals("server") && names != null) {
                            out.add(new Block(file, List.copyOf(names), ports.isEmpty() ? List.of(80) : List.copyOf(ports)));
                            names = null;
                            ports = null;
                        }
                    }
                    statement.clear();
                }
                case ";" -> {
                    if (names != null && !statement.isEmpty() && "server".equals(stack.get(stack.size() - 1))) {
                        if (statement.get(0).equals("server_name")) {
                            for (String n : statement.subList(1, statement.size())) {
                                names.add(n.toLowerCase(java.util.Locale.ROOT));
                            }
                        } else if (statement.get(0).equals("listen") && statement.size() > 1) {
                            int port = port(statement.get(1));
                            if (port > 0) {
                                ports.add(port);
                            }
                        }
                    }
                    statement.clear();
                }
                default -> statement.add(t);
            }
        }
        return out;
    }

    /** The port of a {@code listen} value: {@code 443}, {@code *:443}, {@code 127.0.0.1:443}, {@code [::]:443}. */
    static int port(String listen) {
        if (listen.startsWith("unix:")) {
            return -1;
        }
        String p = listen.contains("]") ? listen.substring(listen.indexOf(']') + 1) : listen;
        if (p.contains(":")) {
            p = p.substring(p.lastIndexOf(':') + 1);
        } else if (!p.matches("\\d+")) {
            return 80; // an address alone listens on port 80
        }
        try {
            return Integer.parseInt(p);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Words, quoted strings (unquoted), and the characters {, } and ; as tokens; comments dropped. */
    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '"' || c == '\'') {
                int end = text.indexOf(c, i + 1);
                end = end < 0 ? text.length() : end;
                word.append(text, i + 1, end);
                i = end + 1;
                continue;
            }
            if (Character.isWhitespace(c) || c == '{' || c == '}' || c == ';') {
                if (word.length() > 0) {
                    out.add(word.toString());
                    word.setLength(0);
                }
                if (!Character.isWhitespace(c)) {
                    out.add(String.valueOf(c));
                }
            } else {
                word.append(c);
            }
            i++;
        }
        if (word.length() > 0) {
            out.add(word.toString());
        }
        return out;
    }
}
