package org.mailcert.common.names;

import java.net.IDN;
import java.util.Collection;
import java.util.Locale;
import org.mailcert.common.names.InvalidNameException.Reason;

/**
 * The rules for DNS names: the strict validator and normaliser every host and domain name passes
 * through, certificate name patterns with a left-most wildcard, and RFC 6125 name matching.
 *
 * <p>A normalised name is lower case, in A-label (punycode) form, without a trailing dot. Names are
 * never trimmed: input with whitespace is refused rather than silently repaired.
 */
public final class DnsNames {
    /** Longest name in octets, in A-label form and without the trailing dot (RFC 1035). */
    static final int MAX_NAME_OCTETS = 253;
    /** Longest label in octets (RFC 1035). */
    static final int MAX_LABEL_OCTETS = 63;
    /** Longest escaped text {@link #displaySafe} returns before it cuts off with "...". */
    static final int DISPLAY_LIMIT = 80;
    /** Inputs this long are refused before any per-label work, whatever they contain. */
    private static final int MAX_INPUT_CHARS = 4 * MAX_NAME_OCTETS;

    private DnsNames() {}

    /**
     * Validates and normalises a host or domain name: lower case, A-labels, no trailing dot.
     *
     * @throws InvalidNameException if the input is not a plain LDH host name (no wildcard, no IP
     *     address, no whitespace, control, path or shell characters)
     */
    public static String hostname(String input) throws InvalidNameException {
        return normalise(input, false);
    }

    /**
     * Validates and normalises a certificate name pattern: a host name whose left-most label may be
     * exactly {@code *}, followed by at least two labels (as in {@code *.example.com}).
     *
     * @throws InvalidNameException if the input is neither a host name nor such a wildcard pattern
     */
    public static String pattern(String input) throws InvalidNameException {
        return normalise(input, true);
    }

    /**
     * Tells whether a certificate name pattern covers a host name, per RFC 6125: case-insensitive,
     * IDNs compared as A-labels, and a wildcard standing for exactly one left-most label; false if
     * either side is not a valid name.
     */
    public static boolean covers(String pattern, String hostname) {
        String p;
        String h;
        try {
            p = pattern(pattern);
            h = hostname(hostname);
        } catch (InvalidNameException e) {
            return false;
        }
        if (!p.startsWith("*.")) {
            return p.equals(h);
        }
        int dot = h.indexOf('.');
        return dot > 0 && h.substring(dot + 1).equals(p.substring(2));
    }

    /** Tells whether any of the patterns covers the host name (see {@link #covers}). */
    public static boolean anyCovers(Collection<String> patterns, String hostname) {
        if (patterns == null) {
            return false;
        }
        for (String p : patterns) {
            if (covers(p, hostname)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Escapes text for a one-line message or log: control and invisible characters, backslash and
     * double quote become Java-style escapes (&#92;n, &#92;u0000, &#92;&#92;, &#92;"), and the
     * result is cut at about 80 characters with "...".
     */
    public static String displaySafe(String raw) {
        if (raw == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), DISPLAY_LIMIT) + 8);
        int i = 0;
        while (i < raw.length()) {
            int cp = raw.codePointAt(i);
            int width = Character.charCount(cp);
            String piece = switch (cp) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\\' -> "\\\\";
                case '"' -> "\\\"";
                default -> isInvisible(cp)
                        ? escape(raw.substring(i, i + width))
                        : raw.substring(i, i + width);
            };
            if (out.length() + piece.length() > DISPLAY_LIMIT) {
                out.append("...");
                break;
            }
            out.append(piece);
            i += width;
        }
        return out.toString();
    }

    private static String escape(String chars) {
        StringBuilder out = new StringBuilder();
        for (char c : chars.toCharArray()) {
            out.append(String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }

    /** Characters a reader cannot see or that change how the rest of a line looks. */
    private static boolean isInvisible(int cp) {
        if (cp < 0x20 || cp == 0x7f) {
            return true;
        }
        if (cp < 0x80) {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.SPACE_SEPARATOR:
                return true;
            default:
                return false;
        }
    }

    private static String normalise(String input, boolean wildcardAllowed)
            throws InvalidNameException {
        if (input == null || input.isEmpty()) {
            throw new InvalidNameException(input, Reason.EMPTY, "the name is empty");
        }
        checkCharacters(input, wildcardAllowed);
        if (input.length() > MAX_INPUT_CHARS) {
            throw new InvalidNameException(input, Reason.TOO_LONG, "the name is " + input.length()
                    + " characters long; at most " + MAX_NAME_OCTETS + " octets are allowed");
        }
        String name = input.replace('\u3002', '.').replace('\uff0e', '.').replace('\uff61', '.');
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty()) {
            throw new InvalidNameException(input, Reason.EMPTY, "the name is only a dot");
        }
        String[] labels = name.split("\\.", -1);
        StringBuilder out = new StringBuilder(name.length() + 16);
        boolean wildcard = false;
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.isEmpty()) {
                throw new InvalidNameException(input, Reason.LABEL_EMPTY,
                        "empty label (a leading dot or two dots in a row)");
            }
            if (i > 0) {
                out.append('.');
            }
            if (label.indexOf('*') >= 0) {
                if (i != 0 || !label.equals("*")) {
                    throw badWildcard(input);
                }
                wildcard = true;
                out.append('*');
                continue;
            }
            out.append(asciiLabel(input, label));
        }
        if (wildcard && labels.length < 3) {
            throw badWildcard(input);
        }
        if (out.length() > MAX_NAME_OCTETS) {
            throw new InvalidNameException(input, Reason.TOO_LONG, "the name is " + out.length()
                    + " octets long; at most " + MAX_NAME_OCTETS + " are allowed");
        }
        String last = out.substring(out.lastIndexOf(".") + 1);
        if (last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidNameException(input, Reason.NUMERIC_TLD,
                    "the last label is all digits; an IP address is not a DNS name");
        }
        return out.toString();
    }

    private static InvalidNameException badWildcard(String input) {
        return new InvalidNameException(input, Reason.BAD_WILDCARD,
                "'*' may only be the whole left-most label, followed by at least two labels"
                        + " (as in *.example.com)");
    }

    /** Refuses every character that has no place in a DNS name, with a message naming it. */
    private static void checkCharacters(String input, boolean wildcardAllowed)
            throws InvalidNameException {
        for (int i = 0; i < input.length(); ) {
            int cp = input.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                char c = (char) cp;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.') {
                    continue;
                }
                if (c == '*') {
                    if (wildcardAllowed) {
                        continue;
                    }
                    throw new InvalidNameException(input, Reason.WILDCARD_NOT_ALLOWED,
                            "a wildcard is not allowed here; give a host name");
                }
                String detail;
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b) {
                    detail = "whitespace is not allowed in a DNS name";
                } else if (c < 0x20 || c == 0x7f) {
                    detail = "control character " + escape(String.valueOf(c))
                            + " is not allowed in a DNS name";
                } else if (c == '_') {
                    detail = "'_' is not allowed in a host name (letters, digits and hyphens only)";
                } else if (c == '\'') {
                    detail = "\"'\" is not allowed in a DNS name";
                } else {
                    detail = "'" + c + "' is not allowed in a DNS name";
                }
                throw new InvalidNameException(input, Reason.FORBIDDEN_CHARACTER, detail);
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                throw new InvalidNameException(input, Reason.FORBIDDEN_CHARACTER,
                        "whitespace is not allowed in a DNS name");
            }
            if (isInvisible(cp)) {
                throw new InvalidNameException(input, Reason.FORBIDDEN_CHARACTER,
                        String.format("invisible or control character U+%04X is not allowed in a"
                                + " DNS name", cp));
            }
        }
    }

    /** Converts one non-empty, non-wildcard label to its lower-case A-label and checks it. */
    private static String asciiLabel(String input, String label) throws InvalidNameException {
        String ascii;
        if (label.chars().allMatch(c -> c < 0x80)) {
            ascii = label.toLowerCase(Locale.ROOT);
        } else {
            try {
                ascii = IDN.toASCII(label, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                if (String.valueOf(e.getMessage()).contains("too long")) {
                    throw labelTooLong(input, label);
                }
                throw idnInvalid(input);
            }
            if (!ascii.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-')) {
                throw idnInvalid(input);
            }
        }
        if (ascii.length() > MAX_LABEL_OCTETS) {
            throw labelTooLong(input, ascii);
        }
        if (ascii.startsWith("-") || ascii.endsWith("-")) {
            throw new InvalidNameException(input, Reason.BAD_HYPHEN,
                    "a label may not start or end with a hyphen");
        }
        if (ascii.startsWith("xn--")) {
            String unicode = IDN.toUnicode(ascii, IDN.USE_STD3_ASCII_RULES);
            String back;
            try {
                back = IDN.toASCII(unicode, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw idnInvalid(input);
            }
            if (unicode.equals(ascii) || !back.equals(ascii)) {
                throw idnInvalid(input);
            }
        }
        return ascii;
    }

    private static InvalidNameException labelTooLong(String input, String label) {
        return new InvalidNameException(input, Reason.LABEL_TOO_LONG, "a label is "
                + label.length() + " octets long; at most " + MAX_LABEL_OCTETS + " are allowed");
    }

    private static InvalidNameException idnInvalid(String input) {
        return new InvalidNameException(input, Reason.IDN_INVALID,
                "not a valid internationalised domain name (IDNA 2003, STD3 rules)");
    }
}
