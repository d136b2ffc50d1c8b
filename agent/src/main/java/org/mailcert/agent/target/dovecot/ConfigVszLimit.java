package org.mailcert.agent.target.dovecot;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory limit the configuration on disk gives Dovecot's config process, read from what
 * {@code doveconf -c FILE service default_vsz_limit} printed (verified with 2.3.19): the
 * {@code vsz_limit} inside {@code service config}, where {@code 18446744073709551615 B} means "not
 * set, use {@code default_vsz_limit}" and {@code 0} means unlimited. This is the effective value,
 * whoever set it (this target's include or an admin), so it also covers an admin's own raise.
 *
 * @param bytes the limit in bytes; {@link Long#MAX_VALUE} when unlimited
 */
record ConfigVszLimit(long bytes) {
    /** What doveconf prints for a service limit that is not set. */
    private static final String UNSET = "18446744073709551615";
    private static final Pattern SIZE = Pattern.compile("^(\\d+)\\s*([BkKMGT]?)$");

    /** Whether the limit is below {@code size} (a Dovecot size such as {@code 2G}). */
    boolean below(String size) {
        return bytes < parseSize(size).orElseThrow(() -> new IllegalArgumentException("not a size: " + size));
    }

    /** One line for logs: {@code 256 MB}, {@code unlimited}. */
    String describe() {
        return bytes == Long.MAX_VALUE ? "unlimited" : bytes % (1L << 20) == 0 ? (bytes >> 20) + " MB" : bytes + " B";
    }

    /** The limit in doveconf's output, if it shows one. */
    static Optional<ConfigVszLimit> parse(String doveconfOutput) {
        String service = null;
        String fallback = null;
        boolean inConfig = false;
        int depth = 0;
        for (String raw : doveconfOutput.split("\\R")) {
            String line = raw.strip();
            if (line.endsWith("{")) {
                depth++;
                inConfig = depth == 1 ? line.matches("service\\s+config\\s*\\{") : inConfig;
            } else if (line.equals("}")) {
                depth = Math.max(0, depth - 1);
                inConfig = depth > 0 && inConfig;
            } else if (line.startsWith("vsz_limit") && depth == 1 && inConfig) {
                service = value(line);
            } else if (line.startsWith("default_vsz_limit") && depth == 0) {
                fallback = value(line);
            }
        }
        String effective = service == null || service.startsWith(UNSET) ? fallback : service;
        if (effective == null) {
            return Optional.empty();
        }
        return parseSize(effective).map(b -> new ConfigVszLimit(b == 0 ? Long.MAX_VALUE : b));
    }

    private static String value(String line) {
        return line.substring(line.indexOf('=') + 1).strip();
    }

    /** Bytes of a Dovecot size ({@code 256 M}, {@code 2G}, {@code 1024 k}, {@code 0}). */
    static Optional<Long> parseSize(String size) {
        Matcher m = SIZE.matcher(size.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        int shift = switch (m.group(2)) {
            case "k", "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        return Optional.of(n << shift);
    }
}
