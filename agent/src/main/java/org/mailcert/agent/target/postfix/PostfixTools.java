package org.mailcert.agent.target.postfix;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandException;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;

/**
 * Runs {@code postconf}, {@code postmap} and {@code postfix} for one configuration directory
 * ({@code -c DIR}). A tool that exits non-zero, times out, or exits 0 but writes anything to stderr
 * (how {@code postmap -F} reports a missing file) has failed. Not thread-safe.
 */
final class PostfixTools {
    static final String POSTCONF = "postconf";
    static final String POSTMAP = "postmap";
    static final String POSTFIX = "postfix";

    private final CommandRunner runner;
    private final Path mainCf;
    private final String configDir;
    private final Duration timeout;
    private final List<String> durations = new ArrayList<>();

    PostfixTools(CommandRunner runner, Path configDir, Duration timeout) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.configDir = configDir.toString();
        this.mainCf = configDir.resolve("main.cf");
        this.timeout = timeout;
    }

    /** {@code postconf -n}: every parameter main.cf sets, as written (the syntax check too). */
    Map<String, String> nonDefault() throws ToolException, InterruptedException {
        return parameters(run(POSTCONF, "-n"));
    }

    /** {@code postconf -h NAME}: one parameter's effective value, unexpanded. */
    String value(String name) throws ToolException, InterruptedException {
        return run(POSTCONF, "-h", name).strip();
    }

    /** {@code postconf NAME...}: the parameters' effective values, unexpanded. */
    Map<String, String> values(String... names) throws ToolException, InterruptedException {
        return parameters(run(POSTCONF, names));
    }

    /** {@code postconf -x NAME...}: the parameters' effective values with {@code $name} expanded. */
    Map<String, String> expanded(String... names) throws ToolException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-x"));
        args.addAll(List.of(names));
        return parameters(run(POSTCONF, args.toArray(String[]::new)));
    }

    /** {@code postconf -M}: master.cf's services, one a line. */
    String services() throws ToolException, InterruptedException {
        return run(POSTCONF, "-M");
    }

    /** {@code postconf -e name=value ...}: one atomic rewrite of main.cf. */
    void set(Map<String, String> values) throws ToolException, InterruptedException {
        if (values.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("-e"));
        values.forEach((k, v) -> args.add(k + "=" + v));
        run(POSTCONF, args.toArray(String[]::new));
        settle();
    }

    /** {@code postconf -X name...}: removes the parameters from main.cf. */
    void unset(List<String> names) throws ToolException, InterruptedException {
        if (names.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("-X"));
        args.addAll(names);
        run(POSTCONF, args.toArray(String[]::new));
        settle();
    }

    /**
     * Moves main.cf's modification time 2 s back after postconf rewrote it. Every Postfix program
     * that reads a configuration file changed within the last second waits until it is older (so as
     * not to read a file an editor is still writing); that added about 1.9 s to the first command
     * after each switch. postconf's rewrite is complete (it renames a finished file into place), so
     * there is nothing to wait for.
     */
    private void settle() throws ToolException {
        try {
            FileTime t = Files.getLastModifiedTime(mainCf);
            Files.setLastModifiedTime(mainCf, FileTime.fromMillis(t.toMillis() - 2000));
        } catch (IOException e) {
            throw new ToolException("cannot set the modification time of " + mainCf + ": " + e.getMessage(), e);
        }
    }

    /** {@code postmap -F type:file}: builds the database of a map whose values are file names. */
    void buildFileMap(String typedMap) throws ToolException, InterruptedException {
        run(POSTMAP, "-F", typedMap);
    }

    /**
     * {@code postmap -F -i -r type:file} with {@code lines} ({@code KEY FILE FILE...}) on stdin:
     * adds or replaces those entries in an existing database, loading each entry's files as
     * {@code -F} does. Not for {@code cdb}, which cannot be updated.
     */
    void updateFileMap(String typedMap, String lines) throws ToolException, InterruptedException {
        runWithInput(lines, POSTMAP, "-F", "-i", "-r", typedMap);
    }

    /** {@code postmap -d - type:file} with one key per line on stdin: removes those entries. */
    void deleteFromMap(String typedMap, List<String> keys) throws ToolException, InterruptedException {
        runWithInput(String.join("\n", keys) + "\n", POSTMAP, "-d", "-", typedMap);
    }

    /**
     * {@code postmap -q - type:file} with one key per line on stdin: the files' contents stored
     * under each key that is present (a map built with {@code -F} stores them base64-encoded, one
     * line per key, which is what this reads), in one process instead of one per key. The caller
     * keeps the answer under {@link CommandRunner#OUTPUT_LIMIT}.
     *
     * @throws ToolException if postmap fails or prints a line that is not {@code key TAB base64}
     */
    Map<String, String> queryFileMap(List<String> keys, String typedMap) throws ToolException, InterruptedException {
        Executed executed = execute(String.join("\n", keys) + "\n", POSTMAP, "-q", "-", typedMap);
        CommandResult r = executed.result();
        if (r.exitCode() == 1 && r.stdout().isEmpty() && r.stderr().isBlank() && !r.timedOut()) {
            return Map.of(); // postmap -q exits 1 when no key was found
        }
        String out = check(executed);
        Map<String, String> found = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int tab = line.indexOf('\t');
            try {
                if (tab < 1) {
                    throw new IllegalArgumentException("no tab");
                }
                found.put(line.substring(0, tab),
                        new String(Base64.getDecoder().decode(line.substring(tab + 1).strip()), UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ToolException("postmap -q - " + typedMap + " printed a line that is not a key and a base64"
                        + " value (" + e.getMessage() + ")", e);
            }
        }
        return found;
    }

    /** {@code postmap -s type:file}: every key and value of a table. */
    String list(String typedMap) throws ToolException, InterruptedException {
        return run(POSTMAP, "-s", typedMap);
    }

    /** {@code postfix reload}. */
    void reload() throws ToolException, InterruptedException {
        run(POSTFIX, "reload");
    }

    private String run(String program, String... args) throws ToolException, InterruptedException {
        return runWithInput("", program, args);
    }

    private String runWithInput(String input, String program, String... args) throws ToolException, InterruptedException {
        return check(execute(input, program, args));
    }

    private Executed execute(String input, String program, String... args) throws ToolException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(program, "-c", configDir));
        argv.addAll(List.of(args));
        Command command = new Command(argv, Map.of(), timeout, input);
        long started = System.nanoTime();
        try {
            CommandResult result = runner.run(command);
            durations.add(program + " " + String.join(" ", Arrays.stream(args).filter(a -> a.startsWith("-")).toList())
                    + " " + (System.nanoTime() - started) / 1_000_000 + " ms");
            return new Executed(command, result);
        } catch (CommandException e) {
            throw new ToolException(program + " could not be started: " + e.getMessage(), e);
        }
    }

    /** A command and what it did. */
    private record Executed(Command command, CommandResult result) {
    }

    /** The output of a command that succeeded quietly; else why not. */
    private static String check(Executed executed) throws ToolException {
        Command command = executed.command();
        CommandResult result = executed.result();
        if (!result.succeeded()) {
            throw new ToolException(command.display() + " " + result.describe());
        }
        if (!result.stderr().isBlank()) {
            throw new ToolException(command.display() + " exited 0 but complained: " + oneLine(result.stderr()));
        }
        return result.stdout();
    }

    /** How long each command since the last call took ({@code program options N ms}), and forgets them. */
    List<String> takeDurations() {
        List<String> copy = List.copyOf(durations);
        durations.clear();
        return copy;
    }

    /** Parses {@code name = value} lines (as postconf prints them) in order. */
    static Map<String, String> parameters(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    private static String oneLine(String text) {
        return String.join(" / ", text.strip().split("\\R"));
    }
}
