package org.mailcert.agent.target.dovecot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Dovecot's configuration files as Dovecot does to follow {@code !include} and
 * {@code !include_try} (relative to the including file, with globs), so the target can tell whether
 * its include is included and find the server-wide {@code ssl_cert = <file} / {@code ssl_key = <file}
 * lines that name missing files. Dovecot 2.3 opens every such file while it parses, even one a
 * later file overrides, so one missing file (Debian's {@code conf.d/10-ssl.conf} names
 * {@code /etc/dovecot/private/dovecot.pem}, which may not exist) makes every validation and
 * reload fail. The least invasive fix is to comment out exactly those lines, with a marker, after
 * keeping a backup; this is done only when the include sets a server-wide certificate of its own.
 */
public final class ConfigFiles {
    /** What a disabled line starts with. */
    static final String MARKER = "# mailcert-agent disabled (file missing): ";
    /** Suffix of the backup kept of a file before its first change. */
    static final String BACKUP_SUFFIX = ".mailcert-backup";
    private static final Pattern INCLUDE = Pattern.compile("^\\s*!(include|include_try)\\s+\"?([^\"]+?)\"?\\s*$");
    private static final Pattern SSL_FILE = Pattern.compile("^\\s*(ssl_cert|ssl_key)\\s*=\\s*<\\s*(\\S.*?)\\s*$");
    private static final int MAX_FILES = 1000;

    private final Path config;

    /** Reads the configuration starting at its main file. */
    public ConfigFiles(Path config) {
        this.config = config.toAbsolutePath().normalize();
    }

    /**
     * A server-wide line naming a file that does not exist.
     *
     * @param file the configuration file
     * @param lineNumber 1-based
     * @param line the line as it is
     * @param missing the file it names
     */
    public record MissingFileLine(Path file, int lineNumber, String line, Path missing) {
        /** One line for problems and errors. */
        public String describe() {
            return file + " line " + lineNumber + ": " + line.strip() + " names a missing file";
        }
    }

    /** Every configuration file Dovecot reads, the main file first, in include order. */
    public List<Path> files() throws IOException {
        Set<Path> seen = new LinkedHashSet<>();
        walk(config, seen);
        return new ArrayList<>(seen);
    }

    /**
     * Whether an {@code !include} or {@code !include_try} of the configuration names {@code file}
     * (directly or through a glob), whether or not the file exists yet.
     */
    public boolean includes(Path file) throws IOException {
        Path target = file.toAbsolutePath().normalize();
        for (Path f : files()) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                Matcher m = INCLUDE.matcher(line);
                if (m.matches()) {
                    Path pattern = f.getParent().resolve(m.group(2)).normalize();
                    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
                    if (pattern.equals(target) || matcher.matches(target)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The server-wide {@code ssl_cert}/{@code ssl_key} lines outside {@code except} that name missing files. */
    public List<MissingFileLine> missingFileLines(Path except) throws IOException {
        List<MissingFileLine> found = new ArrayList<>();
        for (Path f : files()) {
            if (f.equals(except.toAbsolutePath().normalize())) {
                continue;
            }
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            int depth = 0;
            for (int i = 0; i < lines.size(); i++) {
                String code = stripComment(lines.get(i));
                Matcher m = SSL_FILE.matcher(code);
                if (depth == 0 && m.matches()) {
                    Path named = f.getParent().resolve(m.group(2)).normalize();
                    if (!Files.exists(named)) {
                        found.add(new MissingFileLine(f, i + 1, lines.get(i), named));
                    }
                }
                depth += count(code, '{') - count(code, '}');
            }
        }
        return found;
    }

    /** The lines this target disabled earlier (each file's marker lines), for the problems it reports. */
    public List<String> disabledLines() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : files()) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(MARKER)) {
                    found.add(f + " line " + (i + 1) + ": " + lines.get(i).substring(MARKER.length()).strip()
                            + " was commented out by mailcert-agent (backup " + f.getFileName() + BACKUP_SUFFIX + ")");
                }
            }
        }
        return found;
    }

    /** {@code text} with the given 1-based lines commented out with the marker. */
    static String disable(String text, Set<Integer> lineNumbers) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            out.append(lineNumbers.contains(i + 1) ? MARKER + lines[i] : lines[i]);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** The files among {@code lines}, each with its line numbers. */
    static java.util.Map<Path, Set<Integer>> byFile(List<MissingFileLine> lines) {
        java.util.Map<Path, Set<Integer>> map = new java.util.LinkedHashMap<>();
        for (MissingFileLine l : lines) {
            map.computeIfAbsent(l.file(), k -> new TreeSet<>()).add(l.lineNumber());
        }
        return map;
    }

    private void walk(Path file, Set<Path> seen) throws IOException {
        if (!seen.add(file) || seen.size() > MAX_FILES) {
            return;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher m = INCLUDE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Path pattern = file.getParent().resolve(m.group(2)).normalize();
            for (Path included : expand(pattern)) {
                walk(included, seen);
            }
        }
    }

    private static List<Path> expand(Path pattern) throws IOException {
        String name = pattern.getFileName().toString();
        if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
            return Files.isRegularFile(pattern) ? List.of(pattern) : List.of();
        }
        List<Path> matches = new ArrayList<>();
        if (!Files.isDirectory(pattern.getParent())) {
            return matches;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(pattern.getParent(), name)) {
            for (Path p : dir) {
                if (Files.isRegularFile(p)) {
                    matches.add(p);
                }
            }
        }
        matches.sort(null);
        return matches;
    }

    private static String stripComment(String line) {
        String s = line.strip();
        return s.startsWith("#") ? "" : s;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
