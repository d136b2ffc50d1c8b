package org.mailcert.agent.target.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.mail.CertFiles;
import org.mailcert.agent.target.mail.SniName;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.Golden;

class SniMapTest {
    static final Path DIR = Path.of("/var/lib/mailcert-agent/postfix");

    private static CertFiles.Installed files(Binding b) {
        String base = b.id().replace('/', '_');
        return new CertFiles.Installed(DIR.resolve(base + ".key.pem"), DIR.resolve(base + ".fullchain.pem"),
                DIR.resolve(base + ".keychain.pem"), b.leafSha256());
    }

    private static List<SniName> names() throws Exception {
        return SniName.of(List.of(
                TestBindings.binding("server", "mx.example.org", TestBindings.leaf("mx.example.org")),
                TestBindings.binding("mail/b.example.org", "mail.b.example.org", TestBindings.leaf("mail.b.example.org")),
                TestBindings.binding("mail/a.example.com", "mail.a.example.com", TestBindings.leaf("mail.a.example.com")),
                TestBindings.binding("mail/example.net", "mail.example.net",
                        TestBindings.leaf("*.example.net", "example.net"))), "postfix");
    }

    @Test
    void theMapListsExactNamesThenWildcardsKeyedWithALeadingDot() throws Exception {
        String text = SniMap.render(SniMap.entries(names(), SniMapTest::files));
        Golden.assertMatches("postfix", "sni-map.txt", text);
        assertEquals(SniMap.entries(names(), SniMapTest::files), SniMap.parse(text));
    }

    @Test
    void theFileIsNamedByItsContent() throws Exception {
        String text = SniMap.render(SniMap.entries(names(), SniMapTest::files));
        Path p = SniMap.pathFor(DIR, text);
        assertEquals(p, SniMap.pathFor(DIR, text));
        assertTrue(p.getFileName().toString().matches("sni-[0-9a-f]{16}"), p.toString());
        assertEquals(Optional.of(p), SniMap.managedSource("lmdb:" + p, DIR));
        assertEquals(Optional.empty(), SniMap.managedSource("hash:/etc/postfix/sni", DIR));
        assertEquals(Optional.empty(), SniMap.managedSource("hash:" + DIR.resolve("other"), DIR));
        assertEquals(Optional.empty(), SniMap.managedSource(null, DIR));
    }

    @Test
    void lookupPrefersTheExactNameThenTheNearestParent() throws Exception {
        Map<String, SniMap.Entry> entries = SniMap.entries(names(), SniMapTest::files);
        assertEquals("mail.example.net", SniMap.lookup(entries, "mail.example.net").orElseThrow().key());
        assertEquals(".example.net", SniMap.lookup(entries, "a.b.example.net").orElseThrow().key());
        assertEquals(Optional.empty(), SniMap.lookup(entries, "example.org"));
        assertEquals("mailcert-probe.example.net", entries.get(".example.net").probeName());
    }
}
