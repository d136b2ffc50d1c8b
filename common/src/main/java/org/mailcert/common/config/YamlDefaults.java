package org.mailcert.common.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from a YAML config file whose keys are the long option names without dashes
 * ({@code data-dir: /var/lib/mailcert}); a list value stands for a repeated option. Flags given on
 * the command line win. Unknown keys are refused, naming the key, so a typo does not go unnoticed.
 */
public final class YamlDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> values;

    private YamlDefaults(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Finds {@code --config FILE} (or {@code --config=FILE}) in {@code args} and, if present, installs
     * the file's values as defaults of {@code cmd}'s options.
     *
     * @throws IllegalArgumentException with a one-line message when the file is unreadable or wrong
     */
    public static Optional<Path> install(CommandLine cmd, String[] args) {
        Optional<Path> file = configArgument(args);
        if (file.isPresent()) {
            cmd.setDefaultValueProvider(load(file.get(), cmd.getCommandSpec().options()));
        }
        return file;
    }

    /** Reads a config file, checking every key against the known options. */
    static YamlDefaults load(Path file, List<OptionSpec> options) {
        Object doc;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            doc = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromReader(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException("config file " + file + " is not valid YAML: "
                    + e.getMessage().replace('\n', ' '));
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (doc == null) {
            return new YamlDefaults(values);
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("config file " + file + " must be a mapping of option names to values");
        }
        TreeSet<String> known = new TreeSet<>();
        for (OptionSpec o : options) {
            known.add(o.longestName().replaceFirst("^-+", ""));
        }
        known.remove("config");
        known.remove("help");
        known.remove("version");
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "' in config file " + file + "; known: "
                        + String.join(", ", known));
            }
            values.put(key, flatten(key, file, e.getValue()));
        }
        return new YamlDefaults(values);
    }

    private static String flatten(String key, Path file, Object value) {
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object v : list) {
                if (v instanceof Map || v instanceof List) {
                    throw new IllegalArgumentException("setting '" + key + "' in " + file + " must be a list of plain values");
                }
                parts.add(String.valueOf(v));
            }
            return String.join(",", parts);
        }
        if (value instanceof Map) {
            throw new IllegalArgumentException("setting '" + key + "' in " + file + " must be a plain value or a list");
        }
        return value == null ? "" : String.valueOf(value);
    }

    private static Optional<Path> configArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith("--config=")) {
                return Optional.of(Path.of(args[i].substring("--config=".length())));
            }
        }
        return Optional.empty();
    }

    @Override
    public String defaultValue(ArgSpec spec) {
        if (spec instanceof OptionSpec o) {
            return values.get(o.longestName().replaceFirst("^-+", ""));
        }
        return null;
    }
}
