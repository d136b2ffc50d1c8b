package org.mailcert.agent.target.courier;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variables of one Courier configuration file ({@code imapd-ssl}, {@code esmtpd}, ...): shell
 * assignments {@code NAME=value}, {@code NAME="value"} or {@code NAME='value'}, the last one of a
 * name winning, as the start scripts source them. Values that would need a shell ({@code $},
 * backquotes) are not expanded: they are reported and left out.
 *
 * @param file the file read
 * @param variables name to value
 * @param problems one line per assignment that could not be taken literally
 */
record CourierConfig(Path file, Map<String, String> variables, List<String> problems) {
    private static final Pattern ASSIGNMENT = Pattern.compile("^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$");

    CourierConfig {
        variables = Map.copyOf(variables);
        problems = List.copyOf(problems);
    }

    /** Reads the file; empty if it does not exist. */
    static Optional<CourierConfig> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, String> vars = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String line : Files.readAllLines(file, UTF_8)) {
            if (line.strip().startsWith("#")) {
                continue;
            }
            Matcher m = ASSIGNMENT.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String value = m.group(2).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            if (value.contains("$") || value.contains("`")) {
                problems.add(file + ": " + m.group(1) + " needs a shell to expand; not used");
                vars.remove(m.group(1));
                continue;
            }
            vars.put(m.group(1), value);
        }
        return Optional.of(new CourierConfig(file, vars, problems));
    }

    /** A variable's value. */
    Optional<String> get(String name) {
        return Optional.ofNullable(variables.get(name));
    }

    /** Whether a {@code ...START} style switch is on; {@code fallback} when it is not set. */
    boolean enabled(String name, boolean fallback) {
        return get(name).map(v -> v.equalsIgnoreCase("YES") || v.equals("1")).orElse(fallback);
    }
}
