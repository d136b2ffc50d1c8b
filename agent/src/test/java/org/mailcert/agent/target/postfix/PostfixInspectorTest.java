package org.mailcert.agent.target.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.target.mail.TargetFacts;

class PostfixInspectorTest {
    static final PostfixSettings SETTINGS = new PostfixSettings(Path.of("/etc/postfix"),
            Path.of("/var/lib/mailcert-agent/postfix"), "127.0.0.1", Duration.ofSeconds(1), Duration.ofSeconds(5));

    static PostfixTarget target(RecordingCommandRunner runner) {
        return new PostfixTarget(SETTINGS, runner, (e, sni) -> {
            throw new AssertionError("inspect must not probe");
        });
    }

    @Test
    void readsVersionEndpointsDomainsAndReportsAnAdminsSniMap() throws Exception {
        RecordingCommandRunner runner = new RecordingCommandRunner()
                .thenReturn(CommandResult.exited(0, "3.7.11\n"))
                .thenReturn(CommandResult.exited(0, "smtpd_tls_security_level = may\nsmtpd_use_tls = no\n"
                        + "smtpd_enforce_tls = no\nsmtpd_tls_wrappermode = no\n"))
                .thenReturn(CommandResult.exited(0, MasterServicesTest.DEBIAN))
                .thenReturn(CommandResult.exited(0, "mydestination = mx.example.org, localhost.example.org, localhost\n"
                        + "virtual_mailbox_domains = hash:/etc/postfix/vmd\n"
                        + "virtual_alias_domains = mysql:/etc/postfix/alias.cf\n"
                        + "myhostname = mx.example.org\n"))
                .thenReturn(CommandResult.exited(0, "example.com\tOK\nexample.net\tOK\n"))
                .thenReturn(CommandResult.exited(0, "tls_server_sni_maps = hash:/etc/postfix/sni\n"));
        TargetFacts facts = target(runner).inspect();
        assertEquals("postfix", facts.software());
        assertEquals("3.7.11", facts.version());
        assertTrue(facts.perDomainSni());
        assertEquals(List.of(new Endpoint("smtp", "127.0.0.1", 25, Protocol.SMTP_STARTTLS),
                new Endpoint("submission", "127.0.0.1", 587, Protocol.SMTP_STARTTLS),
                new Endpoint("smtps", "127.0.0.1", 465, Protocol.IMPLICIT)), facts.endpoints());
        assertEquals(List.of("example.com", "example.net"), facts.domains(), "the server's own name is no mail domain");
        assertEquals(2, facts.problems().size(), facts.problems().toString());
        assertTrue(facts.problems().get(0).contains("mysql:/etc/postfix/alias.cf"));
        assertTrue(facts.problems().get(1).contains("hash:/etc/postfix/sni"));
        assertTrue(facts.problems().get(1).contains("not by mailcert"));
        assertEquals(List.of(
                "postconf -c /etc/postfix -h mail_version",
                "postconf -c /etc/postfix smtpd_tls_security_level smtpd_use_tls smtpd_enforce_tls smtpd_tls_wrappermode",
                "postconf -c /etc/postfix -M",
                "postconf -c /etc/postfix -x mydestination virtual_mailbox_domains virtual_alias_domains myhostname",
                "postmap -c /etc/postfix -s hash:/etc/postfix/vmd",
                "postconf -c /etc/postfix tls_server_sni_maps"),
                runner.commands().stream().map(c -> c.display()).toList());
    }

    @Test
    void aManagedMapIsNoConflictAndAMissingPostfixIsAProblemNotAFailure() throws Exception {
        RecordingCommandRunner runner = new RecordingCommandRunner()
                .thenReturn(new CommandResult(127, "", "postconf: not found", false))
                .thenReturn(CommandResult.exited(0, ""))
                .thenReturn(CommandResult.exited(0, ""))
                .thenReturn(CommandResult.exited(0, ""))
                .thenReturn(CommandResult.exited(0, "tls_server_sni_maps = lmdb:/var/lib/mailcert-agent/postfix/"
                        + "sni-0123456789abcdef\n"));
        TargetFacts facts = target(runner).inspect();
        assertEquals("", facts.version());
        assertFalse(facts.perDomainSni());
        assertEquals(1, facts.problems().size(), facts.problems().toString());
        assertTrue(facts.problems().get(0).contains("version"));
    }

    @Test
    void perDomainSniNeedsPostfix34() {
        assertTrue(PostfixInspector.supportsSni("3.4.0"));
        assertTrue(PostfixInspector.supportsSni("3.10.1"));
        assertTrue(PostfixInspector.supportsSni("4.0-20250101"));
        assertFalse(PostfixInspector.supportsSni("3.3.2"));
        assertFalse(PostfixInspector.supportsSni("2.11.3"));
        assertFalse(PostfixInspector.supportsSni(""));
    }
}
