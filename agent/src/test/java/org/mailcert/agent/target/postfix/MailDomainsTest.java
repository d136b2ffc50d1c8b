package org.mailcert.agent.target.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailDomainsTest {
    @TempDir
    Path dir;

    @Test
    void listsAreSplitOnCommasAndSpacesKeepingInlineTablesWhole() {
        assertEquals(List.of("a", "b", "inline:{ x, y=1 }", "c"), MailDomains.tokens(" a,b  inline:{ x, y=1 },\nc "));
    }

    @Test
    void namesTablesFilesAndInlineTablesAreReadAndFiltered() throws Exception {
        Path file = Files.writeString(dir.resolve("domains"), "# comment\nfile.example.com\nOther.Example.com\n");
        Map<String, String> expanded = Map.of(
                "mydestination", "mx.example.org, localhost.example.org, localhost, localhost.localdomain, " + file,
                "virtual_mailbox_domains", "hash:/etc/postfix/vdomains mysql:/etc/postfix/mysql-domains.cf "
                        + "inline:{ inline.example.com, kv.example.com=ok }",
                "virtual_alias_domains", "lmdb:/etc/postfix/virtual ldap:/etc/postfix/ldap.cf bad_name! 10.0.0.1");
        List<String> listed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> domains = MailDomains.discover(expanded, table -> {
            listed.add(table);
            return table.startsWith("hash:") ? "Example.COM\tx\nb.example.org\tOK\n"
                    : "user@alias.example\tother@x\nalias.example.net\tx\n";
        }, problems);
        assertEquals(List.of("alias.example.net", "b.example.org", "example.com", "file.example.com",
                "inline.example.com", "kv.example.com", "mx.example.org", "other.example.com"), domains);
        assertEquals(List.of("hash:/etc/postfix/vdomains", "lmdb:/etc/postfix/virtual"), listed);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("mysql:/etc/postfix/mysql-domains.cf"), problems.get(0));
        assertTrue(problems.get(1).contains("ldap"), problems.get(1));
    }

    @Test
    void anUnreadableTableIsAProblemNotAFailure() throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> domains = MailDomains.discover(Map.of("mydestination", "a.example.com hash:/nope"), table -> {
            throw new ToolException("postmap -s hash:/nope exited 1: open /nope.db: No such file");
        }, problems);
        assertEquals(List.of("a.example.com"), domains);
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("/nope"));
    }
}
