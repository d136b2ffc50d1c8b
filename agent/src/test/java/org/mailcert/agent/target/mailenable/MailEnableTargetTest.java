package org.mailcert.agent.target.mailenable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.windows.CertStore;
import org.mailcert.agent.target.windows.FakeWindows;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.Golden;
import org.mailcert.common.testing.TestPki;

class MailEnableTargetTest {
    private static final String VALUE = "HKLM\\SOFTWARE\\Mail Enable\\Mail Enable\\Security\\Default SSL Certificate";
    private static final String PLESK = "HKLM\\SOFTWARE\\PLESK\\PSA Config\\Config\\MAIL_PROVIDERW_DLL";
    private static final TestPki.Leaf SERVER = TestBindings.leaf("mx1.example.com");
    private static final TestPki.Leaf RENEWED = TestBindings.leaf("mx1.example.com");
    private static final TestPki.Leaf OTHER = TestBindings.leaf("old.example.com");
    private static final TestPki.Leaf MAIL = TestBindings.leaf("mail.example.org");

    @TempDir
    Path data;

    private final FakeWindows windows = new FakeWindows();
    private final Binding server = TestBindings.binding("server", "mx1.example.com", SERVER);
    private final Binding mail = TestBindings.binding("mail/example.org", "mail.example.org", MAIL);

    @BeforeEach
    void host() {
        windows.services.put("MESMTPCS", true);
        windows.services.put("MEIMAPS", true);
        windows.services.put("MEPOPS", false);
    }

    @AfterEach
    void noSecretOnAnyCommandLineAndNoPfxLeft() throws Exception {
        windows.assertNoSecretLeft(data.resolve("windows"));
    }

    private MailEnableTarget target() {
        MailEnableSettings d = MailEnableSettings.defaults(data);
        return new MailEnableTarget(new MailEnableSettings(d.windowsDir(), "127.0.0.1", Map.of("smtp", 25),
                Duration.ofMillis(300), d.commandTimeout(), d.keyReader(), d.services()), windows, Platform.current(),
                windows.mailEnableProbe());
    }

    private List<String> programs() {
        return windows.commands().stream().map(c -> c.arguments().get(0) + " " + (c.arguments().get(0).equals("reg")
                ? c.arguments().get(1) : c.arguments().get(0).equals("sc") ? c.arguments().get(2)
                : c.input().lines().skip(1).findFirst().orElse("").replaceAll("^try \\{ (\\S+ \\S+).*", "$1"))).toList();
    }

    @Test
    void serverWideInstallImportsSetsTheRegistryAndRestartsTheRunningServices() throws Exception {
        Target.Change change = target().apply(List.of(server));

        assertEquals(Map.of("server", Outcome.INSTALLED), change.report().bindings());
        assertEquals("mx1.example.com", windows.registry.get(VALUE));
        assertEquals("mx1.example.com", windows.store.get(CertStore.thumbprint(SERVER.certificate())));
        assertTrue(windows.commands().stream().noneMatch(c -> c.input().contains("MEPOPS")
                || c.environment().containsValue("MEPOPS") && c.input().contains("Restart")), "stopped MEPOPS left alone");
        Golden.assertMatches("windows", "mailenable-server-wide.txt", windows.transcript());
        change.commit();
    }

    @Test
    void reApplyWithNothingToDoOnlyReadsAndProves() throws Exception {
        target().apply(List.of(server)).commit();
        int before = windows.commands().size();
        FakeWindows quiet = windows;

        Target.Change change = target().apply(List.of(server));

        assertEquals(Map.of("server", Outcome.UNCHANGED), change.report().bindings());
        List<Command> again = quiet.commands().subList(before, quiet.commands().size());
        assertTrue(again.stream().noneMatch(c -> c.arguments().contains("add") || c.input().contains("Restart-Service")
                || c.input().contains("Import-PfxCertificate")), again.toString());
        FakeWindows replay = new FakeWindows();
        again.forEach(replay::run);
        Golden.assertMatches("windows", "mailenable-noop.txt", replay.transcript());
    }

    @Test
    void renewalRenamesTheOldCertificateAndRemovesItOnlyAtCommit() throws Exception {
        target().apply(List.of(server)).commit();
        Binding renewed = TestBindings.binding("server", "mx1.example.com", RENEWED);

        Target.Change change = target().apply(List.of(renewed));

        String old = CertStore.thumbprint(SERVER.certificate());
        assertEquals("mx1.example.com (replaced)", windows.store.get(old), "old one still there until commit");
        change.commit();
        assertFalse(windows.store.containsKey(old));
        assertEquals("mx1.example.com", windows.store.get(CertStore.thumbprint(RENEWED.certificate())));
    }

    @Test
    void failedRestartRestoresTheRegistryRestartsAgainAndRemovesTheImport() throws Exception {
        windows.storeHas(OTHER.certificate(), "old.example.com");
        windows.registry.put(VALUE, "old.example.com");
        windows.failRestart.add("MEIMAPS");
        windows.failures = 1;

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server)));

        assertTrue(e.restored(), e.getMessage());
        assertEquals("old.example.com", windows.registry.get(VALUE));
        assertFalse(windows.store.containsKey(CertStore.thumbprint(SERVER.certificate())));
        List<String> steps = programs();
        int restore = steps.lastIndexOf("reg add");
        int restartAgain = steps.lastIndexOf("powershell.exe Restart-Service -Name");
        int remove = steps.lastIndexOf("powershell.exe if (Test-Path");
        assertTrue(steps.indexOf("reg add") < restore && restore < restartAgain && restartAgain < remove,
                steps.toString());
        Golden.assertMatches("windows", "mailenable-rollback.txt", windows.transcript());
    }

    @Test
    void pleskManagedIsProbedAndReportedButNeverWritten() throws Exception {
        windows.registry.put(PLESK, "C:\\Program Files (x86)\\Plesk\\admin\\bin\\mailenableproviderw.dll");
        windows.storeHas(SERVER.certificate(), "mx1.example.com");
        windows.registry.put(VALUE, "mx1.example.com");

        Target.Change change = target().apply(List.of(server));

        assertEquals(Map.of("server", Outcome.UNCHANGED), change.report().bindings());
        Golden.assertMatches("windows", "mailenable-plesk.txt", windows.transcript());

        windows.registry.put(VALUE, "old.example.com");
        windows.storeHas(OTHER.certificate(), "old.example.com");
        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server)));
        assertTrue(e.getMessage().contains("Plesk manages MailEnable"), e.getMessage());
        assertTrue(windows.commands().stream().allMatch(c -> c.arguments().contains("query")), "only reads");
    }

    @Test
    void perDomainIsInstalledWhenSniHandshakesProveIt() throws Exception {
        windows.sniServed = true;

        Target.Change change = target().apply(List.of(server, mail));

        assertEquals(Map.of("server", Outcome.INSTALLED, "mail/example.org", Outcome.INSTALLED),
                change.report().bindings());
        Golden.assertMatches("windows", "mailenable-per-domain.txt", windows.transcript());
    }

    @Test
    void perDomainNotServedBySniIsUnsupportedRolledBackAndThenRefusedBeforeWriting() throws Exception {
        MailEnableTarget target = target();

        TargetException e = assertThrows(TargetException.class, () -> target.apply(List.of(server, mail)));

        assertTrue(e.bindingErrors().get("mail/example.org").startsWith("UnsupportedOnThisServer"), e.bindingErrors()
                .toString());
        assertTrue(e.bindingErrors().get("mail/example.org").contains("mailcert cert bundle HOST"));
        assertTrue(windows.store.isEmpty(), windows.store.toString());
        assertTrue(target.perDomainUnsupported());
        int before = windows.commands().size();

        TargetException again = assertThrows(TargetException.class, () -> target.apply(List.of(server, mail)));

        assertTrue(again.getMessage().contains("UnsupportedOnThisServer"), again.getMessage());
        assertEquals(before + 1, windows.commands().size(), "only the Plesk check ran");
    }

    @Test
    void driftProbesEachEndpointWithoutSniAndWithEachPerDomainNameUntilSniIsShownUnsupported() throws Exception {
        MailEnableTarget target = target();
        Binding webmail = TestBindings.binding("webmail/example.org", "webmail.example.org", MAIL);

        TargetObservation o = target.observe(List.of(server, mail, webmail));

        assertEquals(Map.of("mail.example.org", "mail/example.org"), o.names());
        assertTrue(o.serverWide() && o.perDomain());
        assertEquals(List.of("smtp:25"), o.endpoints().stream().map(x -> x.service() + ":" + x.port()).toList());
        assertTrue(o.files().isEmpty() && o.configs().isEmpty());
        assertEquals(List.of(), windows.commands(), "observing runs nothing");

        assertThrows(TargetException.class, () -> target.apply(List.of(server, mail)));
        TargetObservation after = target.observe(List.of(server, mail));

        assertEquals(Map.of(), after.names());
        assertFalse(after.perDomain());
        assertTrue(after.serverWide());
    }

    @ParameterizedTest
    @ValueSource(strings = {"webmail.a.example;Remove-Item", "mail.a.example'", "mail.\"a\".example",
            "mail.a.example\nRemove-Item C:\\", "$(Remove-Item).example"})
    void hostileNamesAreRefusedBeforeAnyCommandRuns(String hostile) {
        Binding bad = TestBindings.binding("mail/a.example", hostile, MAIL);

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(server, bad)));

        assertTrue(e.bindingErrors().containsKey("mail/a.example"), e.bindingErrors().toString());
        assertEquals(List.of(), windows.commands());
    }
}
