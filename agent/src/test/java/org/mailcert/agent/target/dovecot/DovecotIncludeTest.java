package org.mailcert.agent.target.dovecot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.common.testing.Golden;

/** The rendered include (golden files), reading it back, and what is probed after a change. */
class DovecotIncludeTest {
    private static final Path DIR = Path.of("/var/lib/mailcert-agent/dovecot");
    private static final String S = "1".repeat(64);
    private static final String A = "a".repeat(64);
    private static final String W = "b".repeat(64);

    private static List<Served> entries() {
        return List.of(served(null, S, "server"), served("example.org", A, "mail/example.org"),
                served("mail.example.org", A, "mail/example.org"), served("mail.example.net", W, "mail/example.net"),
                served("*.example.net", W, "mail/example.net"));
    }

    private static Served served(String pattern, String sha, String id) {
        return new Served(Optional.ofNullable(pattern), sha, id, DIR.resolve(sha.substring(0, 16) + ".fullchain.pem"),
                DIR.resolve(sha.substring(0, 16) + ".key.pem"));
    }

    @Test
    void dovecot23IncludeWithWildcardMatchesGolden() {
        Golden.assertMatches("dovecot", "include-2.3-wildcard.conf", IncludeFile.render(Syntax.V2_3, entries(), false));
    }

    @Test
    void dovecot24IncludeMatchesGolden() {
        Golden.assertMatches("dovecot", "include-2.4-wildcard.conf", IncludeFile.render(Syntax.V2_4, entries(), false));
    }

    @Test
    void largeIncludeRaisesTheConfigProcessLimit() {
        Golden.assertMatches("dovecot", "include-2.3-vsz-limit.conf", IncludeFile.render(Syntax.V2_3, entries(), true));
    }

    @Test
    void serverOnlyIncludeMatchesGolden() {
        Golden.assertMatches("dovecot", "include-2.3-server-only.conf",
                IncludeFile.render(Syntax.V2_3, List.of(served(null, S, "server")), false));
    }

    @Test
    void namesOfOneCertificateShareABlockOfAtMostAHundredAndWildcardsComeLastAlone() {
        List<Served> entries = new ArrayList<>(List.of(served(null, S, "server")));
        for (int i = 0; i < 250; i++) {
            entries.add(served("mail.d" + i + ".example", A, "mail/d" + i + ".example"));
        }
        entries.add(served("*.example.net", W, "mail/example.net"));
        entries.add(served("mail.example.net", W, "mail/example.net"));
        List<List<Served>> blocks = IncludeFile.blocks(Syntax.V2_3, entries);
        assertEquals(List.of(100, 100, 50, 1, 1), blocks.stream().map(List::size).toList());
        assertEquals("mail.example.net", blocks.get(3).get(0).slot());
        assertEquals("*.example.net", blocks.get(4).get(0).slot());
        assertEquals(252, IncludeFile.blocks(Syntax.V2_4, entries).size(), "2.4: one block per name");

        String text = IncludeFile.render(Syntax.V2_3, entries, false);
        assertEquals(5, IncludeFile.blockCount(text));
        assertEquals(253, IncludeFile.listed(text).size(), "every slot is listed for the next apply");
        assertTrue(text.contains("local_name \"mail.d0.example mail.d1.example mail.d2.example "), text);
    }

    @Test
    void readsBackWhatItRendered() {
        Map<String, IncludeFile.Listed> listed = IncludeFile.listed(IncludeFile.render(Syntax.V2_3, entries(), true));
        assertEquals(List.of("", "example.org", "mail.example.org", "mail.example.net", "*.example.net"),
                new ArrayList<>(listed.keySet()));
        assertEquals(new IncludeFile.Listed(W, "mail/example.net"), listed.get("*.example.net"));
        assertEquals(Map.of(), IncludeFile.listed(null));
    }

    @Test
    void refusesNamesAndPathsThatCouldBreakOutOfTheirLine() {
        for (String bad : List.of("evil.com\" {", "evil.com\nssl_key", "../x", "*.*.example.net", "a b")) {
            assertThrows(IllegalArgumentException.class,
                    () -> IncludeFile.render(Syntax.V2_3, List.of(served(bad, A, "mail/x")), false), bad);
        }
        Served badPath = new Served(Optional.empty(), A, "server", Path.of("/tmp/a b.pem"), Path.of("/tmp/k.pem"));
        assertThrows(IllegalArgumentException.class, () -> IncludeFile.render(Syntax.V2_3, List.of(badPath), false));
    }

    @Test
    void versionChoosesTheSyntax() {
        assertEquals(Optional.of(Syntax.V2_3), Syntax.ofVersion("2.3.19.1 (9b53102964)"));
        assertEquals(Optional.of(Syntax.V2_4), Syntax.ofVersion("2.4.1-4 (7d8c0e5759)"));
        assertEquals(Optional.of(Syntax.V2_3), Syntax.ofVersion("2.2.36"));
        assertEquals(Optional.empty(), Syntax.ofVersion("unknown"));
    }

    @Test
    void probesTheDefaultChangedRemovedNamesAndAFewCanaries() {
        Map<String, IncludeFile.Listed> before = IncludeFile.listed(IncludeFile.render(Syntax.V2_3, entries(), false));
        List<Served> after = new ArrayList<>(entries());
        after.remove(2);
        after.set(1, served("example.org", W, "mail/example.org"));
        Map<String, IncludeFile.Listed> now = IncludeFile.listed(IncludeFile.render(Syntax.V2_3, after, false));
        List<ServedCheck.Expectation> x = Expectations.of(before, now, 1);
        assertEquals(List.of(
                new ServedCheck.Expectation(Optional.empty(), S, "server"),
                new ServedCheck.Expectation(Optional.of("example.org"), W, "mail/example.org"),
                new ServedCheck.Expectation(Optional.of("mail.example.org"), S, "server"),
                new ServedCheck.Expectation(Optional.of("mail.example.net"), W, "mail/example.net")), x);
    }

    @Test
    void resolvesNamesAsDovecotDoes() {
        Map<String, IncludeFile.Listed> now = IncludeFile.listed(IncludeFile.render(Syntax.V2_3, entries(), false));
        assertEquals(W, Expectations.resolve(now, "imap.example.net").orElseThrow().leafSha256());
        assertEquals(S, Expectations.resolve(now, "a.b.example.net").orElseThrow().leafSha256());
        assertEquals(W, Expectations.resolve(now, "mailcert-probe.example.net").orElseThrow().leafSha256());
        assertEquals(S, Expectations.resolve(now, "other.test").orElseThrow().leafSha256());
    }
}
