package org.mailcert.common.names;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.names.InvalidNameException.Reason;

class DnsNamesTest {
    private static final String LABEL_63 = "a".repeat(63);
    /** 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 octets. */
    private static final String NAME_253 = "a".repeat(63) + "." + "b".repeat(63) + "."
            + "c".repeat(63) + "." + "d".repeat(61);

    static Stream<Arguments> acceptedHostnames() {
        return Stream.of(
                Arguments.of("mail.example.com", "mail.example.com"),
                Arguments.of("MAIL.Example.COM", "mail.example.com"),
                Arguments.of("mail.example.com.", "mail.example.com"),
                Arguments.of("a-b.example.com", "a-b.example.com"),
                Arguments.of("123mail.example.com", "123mail.example.com"),
                Arguments.of("localhost", "localhost"),
                Arguments.of("bücher.example", "xn--bcher-kva.example"),
                Arguments.of("BÜCHER.example", "xn--bcher-kva.example"),
                Arguments.of("xn--bcher-kva.example", "xn--bcher-kva.example"),
                Arguments.of("例え.テスト", "xn--r8jz45g.xn--zckzah"),
                Arguments.of("mail\u3002example\u3002com", "mail.example.com"),
                Arguments.of(LABEL_63 + ".com", LABEL_63 + ".com"),
                Arguments.of(NAME_253, NAME_253),
                Arguments.of(NAME_253 + ".", NAME_253));
    }

    @ParameterizedTest(name = "{0} is accepted as {1}")
    @MethodSource("acceptedHostnames")
    void validHostNamesAreNormalised(String input, String expected) throws Exception {
        assertEquals(expected, DnsNames.hostname(input));
    }

    static Stream<Arguments> refusedHostnames() {
        return Stream.of(
                Arguments.of("../../etc", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a b", Reason.FORBIDDEN_CHARACTER),
                Arguments.of(" mail.example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("mail.example.com\n", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("x;y", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("x}", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("{x", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("[x]", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a\nb", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a\rb", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a\u0000b", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a\u007fb", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("\"x\"", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("'x'", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a/b", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a\\b", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("$(reboot).example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a`id`.example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a=b.example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("a#b.example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("under_score.example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("mail:25", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("::1", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("mail\u00a0example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("mail\u200b.example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("mail\u202e.example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("", Reason.EMPTY),
                Arguments.of(null, Reason.EMPTY),
                Arguments.of(".", Reason.EMPTY),
                Arguments.of("a..b", Reason.LABEL_EMPTY),
                Arguments.of(".a.com", Reason.LABEL_EMPTY),
                Arguments.of("a.com..", Reason.LABEL_EMPTY),
                Arguments.of("-a.com", Reason.BAD_HYPHEN),
                Arguments.of("a-.com", Reason.BAD_HYPHEN),
                Arguments.of("a" + LABEL_63 + ".com", Reason.LABEL_TOO_LONG),
                Arguments.of(NAME_253 + "d", Reason.TOO_LONG),
                Arguments.of("e." + NAME_253, Reason.TOO_LONG),
                Arguments.of("a".repeat(5000), Reason.TOO_LONG),
                Arguments.of("1.2.3.4", Reason.NUMERIC_TLD),
                Arguments.of("mail.example.123", Reason.NUMERIC_TLD),
                Arguments.of("*.example.com", Reason.WILDCARD_NOT_ALLOWED),
                Arguments.of("mail*.example.com", Reason.WILDCARD_NOT_ALLOWED),
                Arguments.of("\u05d0a.example", Reason.IDN_INVALID),
                Arguments.of("xn--a.example", Reason.IDN_INVALID));
    }

    @ParameterizedTest(name = "[{index}] {0} is refused as {1}")
    @MethodSource("refusedHostnames")
    void invalidHostNamesAreRefusedWithTheirReason(String input, Reason reason) {
        InvalidNameException e =
                assertThrows(InvalidNameException.class, () -> DnsNames.hostname(input));
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "message must be one line");
        assertFalse(e.getMessage().contains("\u0000"), "message must not carry NUL");
    }

    static Stream<Arguments> acceptedPatterns() {
        return Stream.of(
                Arguments.of("*.example.com", "*.example.com"),
                Arguments.of("*.EXAMPLE.com.", "*.example.com"),
                Arguments.of("*.bücher.example", "*.xn--bcher-kva.example"),
                Arguments.of("mail.example.com", "mail.example.com"));
    }

    @ParameterizedTest(name = "{0} is accepted as pattern {1}")
    @MethodSource("acceptedPatterns")
    void validPatternsAreNormalised(String input, String expected) throws Exception {
        assertEquals(expected, DnsNames.pattern(input));
    }

    static Stream<Arguments> refusedPatterns() {
        return Stream.of(
                Arguments.of("f*.example.com", Reason.BAD_WILDCARD),
                Arguments.of("*f.example.com", Reason.BAD_WILDCARD),
                Arguments.of("a.*.com", Reason.BAD_WILDCARD),
                Arguments.of("mail.example.*", Reason.BAD_WILDCARD),
                Arguments.of("*", Reason.BAD_WILDCARD),
                Arguments.of("*.", Reason.BAD_WILDCARD),
                Arguments.of("*.com", Reason.BAD_WILDCARD),
                Arguments.of("**.example.com", Reason.BAD_WILDCARD),
                Arguments.of("*.*.example.com", Reason.BAD_WILDCARD),
                Arguments.of("* .example.com", Reason.FORBIDDEN_CHARACTER),
                Arguments.of("*.example.1", Reason.NUMERIC_TLD),
                Arguments.of("*..example.com", Reason.LABEL_EMPTY));
    }

    @ParameterizedTest(name = "{0} is refused as pattern with {1}")
    @MethodSource("refusedPatterns")
    void invalidPatternsAreRefusedWithTheirReason(String input, Reason reason) {
        InvalidNameException e =
                assertThrows(InvalidNameException.class, () -> DnsNames.pattern(input));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void aMessageQuotesTheNameAndSaysWhatIsWrong() {
        assertEquals("invalid name \"a b\": whitespace is not allowed in a DNS name",
                assertThrows(InvalidNameException.class, () -> DnsNames.hostname("a b"))
                        .getMessage());
        assertEquals("invalid name \"../../etc\": '/' is not allowed in a DNS name",
                assertThrows(InvalidNameException.class, () -> DnsNames.hostname("../../etc"))
                        .getMessage());
    }

    @Test
    void theRefusedNameIsEscapedInTheExceptionAndItsMessage() {
        InvalidNameException e =
                assertThrows(InvalidNameException.class, () -> DnsNames.hostname("a\nb\u0000"));
        assertEquals("a\\nb\\u0000", e.name());
        assertEquals("invalid name \"a\\nb\\u0000\": whitespace is not allowed in a DNS name",
                e.getMessage());
    }

    static Stream<Arguments> displaySafeCases() {
        return Stream.of(
                Arguments.of("a\nb", "a\\nb"),
                Arguments.of("a\r\tb", "a\\r\\tb"),
                Arguments.of("a\u0000b", "a\\u0000b"),
                Arguments.of("say \"hi\"", "say \\\"hi\\\""),
                Arguments.of("C:\\x", "C:\\\\x"),
                Arguments.of("evil\u202etxt", "evil\\u202etxt"),
                Arguments.of("bücher", "bücher"),
                Arguments.of("", ""),
                Arguments.of(null, ""));
    }

    @ParameterizedTest(name = "displaySafe turns [{0}] into [{1}]")
    @MethodSource("displaySafeCases")
    void displaySafeEscapesWhatCannotBeSeen(String raw, String expected) {
        assertEquals(expected, DnsNames.displaySafe(raw));
    }

    @Test
    void displaySafeCutsLongInputAtAboutEightyCharacters() {
        String shown = DnsNames.displaySafe("x".repeat(1000));
        assertEquals("x".repeat(80) + "...", shown);
        String escapes = DnsNames.displaySafe("\u0000".repeat(100));
        assertTrue(escapes.length() <= 83, escapes);
        assertTrue(escapes.endsWith("\\u0000..."), "never cuts inside an escape: " + escapes);
    }

    static Stream<Arguments> coverage() {
        return Stream.of(
                Arguments.of("*.example.com", "mail.example.com", true),
                Arguments.of("*.example.com", "example.com", false),
                Arguments.of("*.example.com", "a.b.example.com", false),
                Arguments.of("*.example.com", "mail.example.org", false),
                Arguments.of("*.EXAMPLE.com", "Mail.Example.COM.", true),
                Arguments.of("*.example.com.", "mail.example.com", true),
                Arguments.of("mail.example.com", "mail.example.com", true),
                Arguments.of("mail.example.com", "MAIL.EXAMPLE.COM", true),
                Arguments.of("mail.example.com", "smtp.example.com", false),
                Arguments.of("mail.example.com", "example.com", false),
                Arguments.of("example.com", "mail.example.com", false),
                Arguments.of("bücher.example", "xn--bcher-kva.example", true),
                Arguments.of("xn--bcher-kva.example", "BÜCHER.example", true),
                Arguments.of("*.bücher.example", "mail.xn--bcher-kva.example", true),
                Arguments.of("*.com", "example.com", false),
                Arguments.of("*", "localhost", false),
                Arguments.of("f*.example.com", "foo.example.com", false),
                Arguments.of("*.example.com", "*.example.com", false),
                Arguments.of("mail.example.com", "mail.example.com ", false),
                Arguments.of("1.2.3.4", "1.2.3.4", false),
                Arguments.of(null, "mail.example.com", false),
                Arguments.of("mail.example.com", null, false));
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @MethodSource("coverage")
    void coversFollowsRfc6125(String pattern, String hostname, boolean expected) {
        assertEquals(expected, DnsNames.covers(pattern, hostname));
    }

    @Test
    void anyCoversIsTrueWhenOnePatternCovers() {
        List<String> sans = Arrays.asList("example.com", "*.example.com", "bad name");
        assertTrue(DnsNames.anyCovers(sans, "mail.example.com"));
        assertTrue(DnsNames.anyCovers(sans, "example.com"));
        assertFalse(DnsNames.anyCovers(sans, "a.b.example.com"));
        assertFalse(DnsNames.anyCovers(List.of(), "example.com"));
        assertFalse(DnsNames.anyCovers(null, "example.com"));
    }
}
