package org.mailcert.agent.target.dovecot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.Golden;
import org.mailcert.common.testing.TestPki;

/** The Dovecot target's transaction with a recording command runner and a probe that reads the include. */
class DovecotTargetTest {
    static final String VERSION = "2.3.19.1 (9b53102964)\n";
    static final String DOVECONF = String.join("\n", "protocols = imap pop3", "ssl = yes", "log_path = syslog",
            "service imap-login {", "  inet_listener imap {", "    address = ", "    port = 143", "    ssl = no", "  }",
            "  inet_listener imaps {", "    port = 993", "    ssl = yes", "  }", "}",
            "service pop3-login {", "  inet_listener pop3 {", "    port = 0", "    ssl = no", "  }",
            "  inet_listener pop3s {", "    port = 995", "    ssl = yes", "  }", "}",
            "service submission-login {", "  inet_listener submission {", "    port = 587", "  }", "}", "");

    @TempDir
    Path dir;
    Path config;
    Path include;
    RecordingCommandRunner runner;
    IncludeProbe probe;
    DovecotTarget target;
    TestPki.Leaf server = TestBindings.leaf("host.test");
    TestPki.Leaf com = TestBindings.leaf("mail.example.com");

    @BeforeEach
    void setUp() throws Exception {
        config = dir.resolve("etc/dovecot.conf");
        Files.createDirectories(config.resolveSibling("conf.d"));
        Files.writeString(config, "protocols = imap pop3\n!include conf.d/*.conf\n");
        include = config.resolveSibling("conf.d/99-mailcert.conf");
        runner = new RecordingCommandRunner();
        probe = new IncludeProbe(include);
        target = new DovecotTarget(new DovecotSettings(config, include, dir.resolve("agent/dovecot"), "127.0.0.1",
                Duration.ofMillis(300), 1000), runner, probe);
    }

    private List<Binding> bindings() {
        return List.of(TestBindings.binding("server", "host.test", server),
                TestBindings.binding("mail/example.com", "mail.example.com", com),
                TestBindings.binding("webmail/example.com", "webmail.example.com", com));
    }

    private void script(CommandResult... afterListing) {
        runner.thenReturn(CommandResult.exited(0, VERSION)).thenReturn(CommandResult.exited(0, DOVECONF));
        for (CommandResult r : afterListing) {
            runner.thenReturn(r);
        }
    }

    @Test
    void appliesWithVersionListenersValidationAndReloadInThatOrder() throws Exception {
        script();
        probe.learn(server, com);
        Target.Change change = target.apply(bindings());
        String commands = runner.commands().stream().map(Command::display).collect(Collectors.joining("\n"))
                .replace(dir.toString(), "TMP");
        Golden.assertMatches("dovecot", "commands-apply.txt", commands + "\n");
        assertEquals(Map.of("server", Outcome.INSTALLED, "mail/example.com", Outcome.INSTALLED,
                "webmail/example.com", Outcome.UNCHANGED), change.report().bindings());
        String text = Files.readString(include, UTF_8);
        assertTrue(text.contains("local_name \"mail.example.com\" {"), text);
        assertFalse(text.contains("webmail"), text);
        assertEquals(Set.of("imaps 127.0.0.1:993", "imap 127.0.0.1:143", "pop3s 127.0.0.1:995"),
                probe.endpoints.stream().map(Endpoint::toString).collect(Collectors.toSet()));
        change.commit();
    }

    @Test
    void nothingToDoRunsNoValidationAndNoReload() throws Exception {
        script();
        probe.learn(server, com);
        target.apply(bindings()).commit();
        int before = runner.commands().size();
        runner.thenReturn(CommandResult.exited(0, VERSION));
        Target.Change again = target.apply(bindings());
        assertFalse(again.report().changed());
        assertEquals(List.of("dovecot --version"), runner.commands().subList(before, runner.commands().size())
                .stream().map(Command::display).toList());
    }

    @Test
    void validationFailureRestoresAndNeverReloads() throws Exception {
        script(new CommandResult(89, "", "doveconf: Fatal: Error in configuration file x line 2: ssl_cert: Can't open file",
                false));
        TargetException e = assertThrows(TargetException.class, () -> target.apply(bindings()));
        assertTrue(e.restored());
        assertTrue(e.detail().contains("Can't open file"), e.detail());
        assertFalse(Files.exists(include));
        assertTrue(runner.commands().stream().noneMatch(c -> c.arguments().contains("reload")));
        try (Stream<Path> files = Files.list(dir.resolve("agent/dovecot"))) {
            assertEquals(List.of(), files.toList(), "new certificate files removed again");
        }
    }

    @Test
    void stderrFromAValidationThatExitsZeroIsAFailure() throws Exception {
        script(new CommandResult(0, "", "doveconf: Warning: something is off", false));
        TargetException e = assertThrows(TargetException.class, () -> target.apply(bindings()));
        assertTrue(e.detail().contains("something is off"), e.detail());
    }

    @Test
    void aServedMismatchRestoresAndNamesTheBinding() throws Exception {
        script();
        probe.learn(server);
        TargetException e = assertThrows(TargetException.class, () -> target.apply(bindings()));
        assertTrue(e.restored(), e.getMessage());
        assertTrue(e.bindingErrors().containsKey("mail/example.com"), e.bindingErrors().toString());
        assertFalse(Files.exists(include));
        assertEquals(2, runner.commands().stream().filter(c -> c.arguments().contains("reload")).count(),
                "one reload for the change, one for the restored include: " + runner.commands());
    }

    @Test
    void refusesHostileNamesBeforeRunningAnything() {
        TestPki.Leaf leaf = TestBindings.leaf("mail.x.test");
        String domain = "evil.com\" { ssl_key = </etc/shadow";
        Binding b = new Binding("mail/" + domain, Scope.MAIL, domain, "mail." + domain, "c", 1,
                TestBindings.sha(leaf), leaf.chain(), leaf.key());
        TargetException e = assertThrows(TargetException.class, () -> target.apply(List.of(b)));
        assertTrue(e.bindingErrors().containsKey("mail/" + domain));
        assertEquals(List.of(), runner.commands());
        assertFalse(Files.exists(include));
    }

    @Test
    void refusesAConfigurationThatDoesNotIncludeTheInclude() throws Exception {
        Files.writeString(config, "protocols = imap\n");
        TargetException e = assertThrows(TargetException.class, () -> target.apply(bindings()));
        assertTrue(e.detail().contains("does not include " + include), e.detail());
        assertTrue(target.inspect().problems().stream().anyMatch(p -> p.contains("does not include")));
    }

    @Test
    void inspectReportsVersionEndpointsAndNoDomains() throws Exception {
        script();
        TargetFacts facts = target.inspect();
        assertEquals("2.3.19.1 (9b53102964)", facts.version());
        assertEquals(List.of(new Endpoint("imap", "127.0.0.1", 143, Protocol.IMAP_STARTTLS),
                new Endpoint("imaps", "127.0.0.1", 993, Protocol.IMPLICIT),
                new Endpoint("pop3s", "127.0.0.1", 995, Protocol.IMPLICIT)), facts.endpoints());
        assertEquals(List.of(), facts.domains());
        assertEquals(List.of(), facts.problems());
    }

    @Test
    void listenersOfDisabledProtocolsOrWithoutSslAreNotEndpoints() {
        assertEquals(List.of("imap", "imaps"), Listeners.parse(DOVECONF.replace("imap pop3", "imap")).listeners()
                .stream().map(Listeners.Listener::service).toList());
        assertEquals(List.of(), Listeners.parse(DOVECONF.replace("ssl = yes\nlog", "ssl = no\nlog")).listeners());
    }

    @Test
    void findsMissingServerWideFilesOnlyOutsideBlocksAndDisablesExactlyThoseLines() throws Exception {
        Path ssl = config.resolveSibling("conf.d/10-ssl.conf");
        Files.writeString(ssl, "ssl = yes\nssl_cert = </nowhere/dovecot.pem\nssl_key = </nowhere/dovecot.key\n"
                + "local_name x.test {\n  ssl_cert = </nowhere/x.pem\n}\n#ssl_cert = </nowhere/c.pem\n"
                + "ssl_dh = </nowhere/dh.pem\n");
        ConfigFiles files = new ConfigFiles(config);
        assertTrue(files.includes(include));
        List<ConfigFiles.MissingFileLine> missing = files.missingFileLines(include);
        assertEquals(List.of(2, 3), missing.stream().map(ConfigFiles.MissingFileLine::lineNumber).toList());
        String disabled = ConfigFiles.disable(Files.readString(ssl), Set.of(2, 3));
        assertTrue(disabled.startsWith("ssl = yes\n" + ConfigFiles.MARKER + "ssl_cert = </nowhere/dovecot.pem\n"
                + ConfigFiles.MARKER + "ssl_key"), disabled);
        Files.writeString(ssl, disabled);
        assertEquals(List.of(), files.missingFileLines(include));
        assertEquals(2, files.disabledLines().size());
    }

    /** Serves, for each SNI name, the leaf the include on disk resolves it to (as Dovecot would). */
    static final class IncludeProbe implements TlsProbe {
        private final Path include;
        private final Map<String, X509Certificate> leaves = new HashMap<>();
        final Set<Endpoint> endpoints = java.util.concurrent.ConcurrentHashMap.newKeySet();

        IncludeProbe(Path include) {
            this.include = include;
        }

        void learn(TestPki.Leaf... known) {
            for (TestPki.Leaf l : known) {
                leaves.put(TestBindings.sha(l), l.certificate());
            }
        }

        @Override
        public ProbeResult probe(Endpoint endpoint, Optional<String> sni) throws ProbeException {
            endpoints.add(endpoint);
            try {
                String text = Files.isRegularFile(include) ? Files.readString(include, UTF_8) : null;
                Optional<IncludeFile.Listed> l = Expectations.resolve(IncludeFile.listed(text), sni.orElse(""));
                X509Certificate leaf = l.map(x -> leaves.get(x.leafSha256())).orElse(null);
                if (leaf == null) {
                    throw new ProbeException(endpoint + ": no certificate", null);
                }
                return new ProbeResult(leaf, l.get().leafSha256());
            } catch (java.io.IOException e) {
                throw new ProbeException(e.getMessage(), e);
            }
        }
    }
}
