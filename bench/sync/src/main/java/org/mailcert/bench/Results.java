package org.mailcert.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Named figures of one run, in the order measured, written as a properties file. */
final class Results {
    private final Map<String, String> values = new LinkedHashMap<>();

    void put(String key, String value) {
        values.put(key, value);
        System.err.printf("  %-48s %s%n", key, value);
    }

    String get(String key) {
        return values.get(key);
    }

    void put(String key, long value) {
        put(key, Long.toString(value));
    }

    void put(String key, double value) {
        put(key, String.format(Locale.ROOT, "%.3f", value));
    }

    /** p50, p99, max, mean and count of a sample under {@code prefix}. */
    void putStats(String prefix, Stats s) {
        put(prefix + ".p50_ms", s.percentile(50));
        put(prefix + ".p99_ms", s.percentile(99));
        put(prefix + ".max_ms", s.max());
        put(prefix + ".mean_ms", s.mean());
        put(prefix + ".n", s.count());
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : values.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue().replace("\\", "\\\\").replace("\n", "\\n") + "\n");
            }
        }
    }
}
