package org.mailcert.common.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses the durations people type: {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}, {@code 1h30m}. */
public final class Durations {
    private static final Pattern WHOLE = Pattern.compile("(\\d{1,9}[smhd])+");
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhd])");

    private Durations() {
    }

    /**
     * Parses one or more {@code <number><unit>} parts, units {@code s}, {@code m}, {@code h},
     * {@code d}; the result must be positive.
     *
     * @throws IllegalArgumentException with a message naming the expected form
     */
    public static Duration parse(String text) {
        String s = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (!WHOLE.matcher(s).matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; use a number and a unit (s, m, h, d), e.g. 30m, 1h or 7d");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        if (total.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is zero; give a positive duration, e.g. 1h");
        }
        return total;
    }

    /** Picocli converter so a bad value is a usage error (exit 2). */
    public static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
