package org.mailcert.common.names;

import java.util.Objects;
import org.mailcert.common.MailcertException;

/**
 * A name was refused as a DNS host name or certificate name pattern; carries the display-safe input
 * and the rule it broke.
 */
public final class InvalidNameException extends MailcertException {
    private static final long serialVersionUID = 1L;

    /** The rule a refused name broke. */
    public enum Reason {
        /** Nothing was given, or only a dot. */
        EMPTY,
        /** The whole name is longer than 253 octets (in A-label form, without the trailing dot). */
        TOO_LONG,
        /** Two dots in a row, or a leading dot. */
        LABEL_EMPTY,
        /** One label is longer than 63 octets. */
        LABEL_TOO_LONG,
        /** A character with no place in a host name: whitespace, control, path or shell syntax. */
        FORBIDDEN_CHARACTER,
        /** A label starts or ends with a hyphen. */
        BAD_HYPHEN,
        /** A wildcard was given where only a host name is accepted. */
        WILDCARD_NOT_ALLOWED,
        /** A wildcard that is not the whole left-most label of a name with two more labels. */
        BAD_WILDCARD,
        /** The last label is all digits, as in an IP address. */
        NUMERIC_TLD,
        /** An internationalised label that cannot be converted to (or from) an A-label. */
        IDN_INVALID
    }

    private final String name;
    private final Reason reason;

    /**
     * Creates the exception for a raw input; the message reads {@code invalid name "<safe>":
     * <detail>}.
     *
     * @param rawName the input as given (escaped here, so it may hold anything, even null)
     * @param reason the rule it broke
     * @param detail what is wrong, as a phrase for the person who typed it
     */
    public InvalidNameException(String rawName, Reason reason, String detail) {
        super(rawName == null
                ? "invalid name: " + detail
                : "invalid name \"" + DnsNames.displaySafe(rawName) + "\": " + detail);
        this.name = rawName == null ? "" : DnsNames.displaySafe(rawName);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The refused input, escaped and shortened so it is safe to show or log. */
    public String name() {
        return name;
    }

    /** The rule the input broke. */
    public Reason reason() {
        return reason;
    }
}
