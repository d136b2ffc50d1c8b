package org.mailcert.agent.target.dovecot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.TestPki;

/**
 * Large configurations with a recording command runner: the interim include that raises the config
 * process's limit first, validating only the changed blocks, the warm-up deadline after a reload.
 * {@code largeConfigBlocks} is 2 here, so two names of different certificates (two blocks) make a large
 * configuration.
 */
class DovecotLargeConfigTest {
    private static final String LISTING = "doveconf -c TMP/etc/dovecot.conf protocols ssl log_path service"
            + " default_vsz_limit base_dir";
    private static final String RELOAD = "doveadm -c TMP/etc/dovecot.conf reload";
    private static final String DEFAULT_LIMIT = DovecotTargetTest.DOVECONF
            + "service config {\n  vsz_limit = 18446744073709551615 B\n}\ndefault_vsz_limit = 256 M\n";
    private static final String RAISED = DovecotTargetTest.DOVECONF
            + "service config {\n  vsz_limit = 2 G\n}\ndefault_vsz_limit = 256 M\n";

    @TempDir
    Path dir;
    Path config;
    Path include;
    RecordingCommandRunner recording;
    Map<String, String> validated = new HashMap<>();
    DovecotTargetTest.IncludeProbe probe;
    DovecotTarget target;
    TestPki.Leaf server = TestBindings.leaf("host.test");
    TestPki.Leaf com = TestBindings.leaf("mail.example.com");
    TestPki.Leaf org = TestBindings.leaf("mail.example.org");

    @BeforeEach
    void setUp() throws Exception {
        config = dir.resolve("etc/dovecot.conf");
        Files.createDirectories(config.resolveSibling("conf.d"));
        Files.writeString(config, "protocols = imap pop3\n!include conf.d/*.conf\n");
        include = config.resolveSibling("conf.d/99-mailcert.conf");
        recording = new RecordingCommandRunner();
        probe = new DovecotTargetTest.IncludeProbe(include);
        probe.learn(server, com, org);
        target = target(recording);
    }

    private DovecotTarget target(CommandRunner runner) {
        CommandRunner capturing = c -> {
            int at = c.arguments().indexOf("-c");
            if (c.program().equals("doveconf") && c.arguments().contains("-x")) {
                Path file = Path.of(c.arguments().get(at + 1));
                try {
                    validated.put(file.getFileName().toString(), Files.readString(file, UTF_8));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return runner.run(c);
        };
        return new DovecotTarget(new DovecotSettings(config, include, dir.resolve("agent/dovecot"), "127.0.0.1",
                Duration.ofMillis(300), 2), capturing, probe);
    }

    private List<Binding> small() {
        return List.of(TestBindings.binding("server", "host.test", server),
                TestBindings.binding("mail/example.com", "mail.example.com", com));
    }

    private List<Binding> large(TestPki.Leaf forCom) {
        return List.of(TestBindings.binding("server", "host.test", server),
                TestBindings.binding("mail/example.com", "mail.example.com", forCom),
                TestBindings.binding("mail/example.org", "mail.example.org", org));
    }

    private List<String> commandsFrom(int index) {
        return recording.commands().subList(index, recording.commands().size()).stream().map(Command::display)
                .map(c -> c.replace(dir.toString(), "TMP")).toList();
    }

    private void script(String... listings) {
        recording.thenReturn(CommandResult.exited(0, DovecotTargetTest.VERSION));
        for (String l : listings) {
            recording.thenReturn(CommandResult.exited(0, l));
        }
    }

    /** A small configuration served and committed, as before the first large apply. */
    private String appliedSmall() throws Exception {
        script(DEFAULT_LIMIT);
        target.apply(small()).commit();
        return Files.readString(include, UTF_8);
    }

    @Test
    void theFirstLargeApplyRaisesTheLimitWithAnInterimIncludeFirst() throws Exception {
        String old = appliedSmall();
        int before = recording.commands().size();
        List<String> atRaised = new ArrayList<>();
        target.seam(step -> {
            if (step.equals("raised")) {
                atRaised.add(Files.readString(include, UTF_8));
            }
        });
        // The listing of the small apply still holds (no configuration file changed); the
        // validation's result, then the listing after the interim switch.
        script("", RAISED);
        Target.Change change = target.apply(large(com));
        assertEquals(List.of("dovecot --version", "doveconf -c TMP/agent/dovecot/.validate-changes.conf -x -n",
                LISTING, RELOAD, RELOAD), commandsFrom(before));
        assertEquals(List.of(IncludeFile.interim(old)), atRaised, "the old include plus the raise was in force");
        assertTrue(atRaised.get(0).startsWith(old) && atRaised.get(0).contains("vsz_limit = 2G"), atRaised.get(0));
        String now = Files.readString(include, UTF_8);
        assertTrue(now.contains("local_name \"mail.example.org\"") && now.contains("vsz_limit = 2G"), now);
        assertFalse(Files.exists(include.resolveSibling(".99-mailcert.conf.interim")));
        change.commit();
    }

    @Test
    void aLimitAlreadyRaisedNeedsNoInterimStep() throws Exception {
        appliedSmall();
        int before = recording.commands().size();
        String admins = DovecotTargetTest.DOVECONF + "service config {\n  vsz_limit = 4 G\n}\ndefault_vsz_limit = 256 M\n";
        // The admin's own file: a changed configuration file makes the agent list the configuration again.
        Files.writeString(include.resolveSibling("50-admin.conf"), "service config {\n  vsz_limit = 4G\n}\n");
        script(admins);
        target.apply(large(com)).commit();
        assertEquals(List.of("dovecot --version", LISTING, "doveconf -c TMP/agent/dovecot/.validate-changes.conf -x -n",
                RELOAD), commandsFrom(before));
    }

    @Test
    void aLaterSettingThatKeepsTheLimitLowRestoresTheOriginalInclude() throws Exception {
        String old = appliedSmall();
        script("", DEFAULT_LIMIT);
        TargetException e = assertThrows(TargetException.class, () -> target.apply(large(com)));
        assertTrue(e.restored(), e.getMessage());
        assertTrue(e.detail().contains("raising the config process's memory limit first failed")
                && e.detail().contains("overrides it"), e.detail());
        assertEquals(old, Files.readString(include, UTF_8));
    }

    @Test
    void aFailedInterimReloadRestoresTheOriginalInclude() throws Exception {
        Path log = dir.resolve("dovecot.log");
        Files.writeString(log, "");
        AtomicInteger reloads = new AtomicInteger();
        target = target(c -> {
            CommandResult r = recording.run(c);
            if (c.arguments().contains("reload")) {
                String line = "master: Warning: SIGHUP received - reloading configuration\n"
                        + (reloads.incrementAndGet() == 2 ? "master: Error: Error reading configuration: EOF\n" : "");
                try {
                    Files.writeString(log, line, StandardOpenOption.APPEND);
                } catch (java.io.IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }
            return r;
        });
        String withLog = DovecotTargetTest.DOVECONF.replace("log_path = syslog", "log_path = " + log);
        script(withLog + "default_vsz_limit = 256 M\n");
        target.apply(small()).commit();
        String old = Files.readString(include, UTF_8);
        script("", withLog + "service config {\n  vsz_limit = 2 G\n}\n");
        TargetException e = assertThrows(TargetException.class, () -> target.apply(large(com)));
        assertTrue(e.restored(), e.getMessage());
        assertTrue(e.detail().contains("the reload raising the config process's memory limit failed"), e.detail());
        assertEquals(old, Files.readString(include, UTF_8));
        assertEquals(3, reloads.get(), "the first apply's, the interim one, the restoring one");
    }

    @Test
    void aLargeConfigurationThatDovecotParsesTooSlowlyIsNotReloaded() throws Exception {
        target.parseBudget(java.time.Duration.ZERO);
        script(RAISED);
        TargetException e = assertThrows(TargetException.class, () -> target.apply(large(com)));
        assertTrue(e.restored(), e.getMessage());
        assertTrue(e.detail().contains("10 s") && e.detail().contains("fewer local_name blocks"), e.detail());
        assertTrue(recording.commands().stream().noneMatch(c -> c.arguments().contains("reload")),
                "no reload: " + recording.commands());
        assertFalse(Files.exists(include) && Files.readString(include, UTF_8).contains("mail.example.org"),
                "the large include was not switched in");
    }

    @Test
    void aChangeAtALargeConfigValidatesOnlyTheChangedBlocks() throws Exception {
        script(RAISED);
        target.apply(large(com)).commit();
        assertTrue(validated.containsKey(".validate.conf"), "the first apply validates everything");
        int before = recording.commands().size();
        TestPki.Leaf com2 = TestBindings.leaf("mail.example.com");
        probe.learn(com2);
        script(RAISED);
        target.apply(large(com2)).commit();
        assertEquals(List.of("dovecot --version", LISTING,
                "doveconf -c TMP/agent/dovecot/.validate-changes.conf -x -n", RELOAD), commandsFrom(before));
        String small = validated.get(".validate-changes.conf");
        String com2Files = TestBindings.sha(com2).substring(0, 16);
        assertTrue(small.contains("ssl = yes\n"), small);
        assertTrue(small.contains("\nssl_cert = <" + dir.resolve("agent/dovecot/" + TestBindings.sha(server)
                .substring(0, 16) + ".fullchain.pem")), "the server-wide certificate: " + small);
        assertTrue(small.contains("local_name \"mail.example.com\" {\n  ssl_cert = <" + dir.resolve("agent/dovecot/"
                + com2Files + ".fullchain.pem")), small);
        assertFalse(small.contains("mail.example.org"), "unchanged blocks are not validated again: " + small);
        assertFalse(Files.exists(dir.resolve("agent/dovecot/.validate-changes.conf")), "removed after use");
    }

    @Test
    void aHandEditedIncludeIsValidatedWhole() throws Exception {
        script(RAISED);
        target.apply(large(com)).commit();
        Files.writeString(include, "# an admin was here\n", UTF_8, StandardOpenOption.APPEND);
        int before = recording.commands().size();
        TestPki.Leaf com2 = TestBindings.leaf("mail.example.com");
        probe.learn(com2);
        script(RAISED);
        target.apply(large(com2)).commit();
        assertEquals("doveconf -c TMP/agent/dovecot/.validate.conf -x -n", commandsFrom(before).get(2));
    }

    @Test
    void aChangedBlockThatDoesNotValidateIsRefusedBeforeTheReload() throws Exception {
        script(RAISED);
        target.apply(large(com)).commit();
        String old = Files.readString(include, UTF_8);
        int before = recording.commands().size();
        script(RAISED);
        recording.thenReturn(new CommandResult(89, "", "doveconf: Fatal: Error in configuration file"
                + " .validate-changes.conf line 12: ssl_cert: Can't open file x.fullchain.pem: No such file", false));
        TestPki.Leaf com2 = TestBindings.leaf("mail.example.com");
        TargetException e = assertThrows(TargetException.class, () -> target.apply(large(com2)));
        assertTrue(e.restored(), e.getMessage());
        assertTrue(e.detail().contains("changed local_name blocks") && e.detail().contains("No such file"), e.detail());
        List<String> commands = commandsFrom(before);
        assertEquals("doveconf -c TMP/agent/dovecot/.validate-changes.conf -x -n", commands.get(2));
        assertTrue(commands.stream().noneMatch(c -> c.endsWith("reload")), commands.toString());
        assertEquals(old, Files.readString(include, UTF_8));
    }

    @Test
    void aFirstHandshakeSlowerThanTheProbeDeadlineIsAcceptedAfterAReload() throws Exception {
        org.mailcert.controller.testing.MutableClock clock = new org.mailcert.controller.testing.MutableClock(
                java.time.Instant.ofEpochMilli(1_800_000_000_000L));
        AtomicInteger calls = new AtomicInteger();
        DovecotTargetTest.IncludeProbe served = probe;
        // The first two handshakes time out after 5 s each (the config process is parsing), then all is served.
        org.mailcert.agent.probe.TlsProbe slow = (Endpoint endpoint, Optional<String> sni) -> {
            if (calls.incrementAndGet() <= 2) {
                clock.advance(Duration.ofSeconds(5));
                throw new ProbeException(endpoint + ": read timed out", null);
            }
            return served.probe(endpoint, sni);
        };
        DovecotTarget t = new DovecotTarget(new DovecotSettings(config, include, dir.resolve("agent/dovecot"),
                "127.0.0.1", Duration.ofMillis(300), 2), recording, slow, clock);
        script(RAISED);
        Target.Change change = t.apply(large(com));
        assertTrue(calls.get() > 3, "the rest was probed after the slow first handshake");
        change.commit();
        assertTrue(Files.readString(include, UTF_8).contains("local_name \"mail.example.org\""));
    }
}
