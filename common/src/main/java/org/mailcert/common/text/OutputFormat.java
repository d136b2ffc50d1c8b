package org.mailcert.common.text;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How a command prints its result: a table for people or JSON for scripts ({@code -o table|json}). */
public enum OutputFormat {
    /** Aligned plain text, see {@link Table}. */
    TABLE,
    /** One JSON document. */
    JSON;

    /** The name as typed on the command line. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Picocli converter taking {@code table} or {@code json}, in any case; anything else is a usage error. */
    public static final class Converter implements ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return OutputFormat.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not an output format; use table or json");
            }
        }
    }
}
