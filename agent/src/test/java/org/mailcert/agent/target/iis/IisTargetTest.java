package org.mailcert.agent.target.iis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
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
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.agent.target.windows.CertStore;
import org.mailcert.agent.target.windows.FakeWindows;
import org.mailcert.agent.target.windows.HttpSys;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.Golden;
import org.mailcert.common.testing.TestPki;

class IisTargetTest {
    private static final TestPki.Leaf A = TestBindings.leaf("webmail.a.example");
    private static final TestPki.Leaf A_RENEWED = TestBindings.leaf("webmail.a.example");
    private static final TestPki.Leaf B = TestBindings.leaf("webmail.b.example");
    private static final TestPki.Leaf SERVER = TestBindings.leaf("mx1.a.example");
    private static final TestPki.Leaf ADMINS = TestBindings.leaf("webmail.c.example", "webmail.a.example");
    /** The application id IIS Manager binds certificates under. */
    private static final String IIS_APP_ID = "{4dc3e181-e14b-4a21-b022-59fc669b0914}";

    @TempDir
    Path data;

    private final FakeWindows windows = new FakeWindows();
    private final Binding a = TestBindings.binding("webmail/a.example", "webmail.a.example", A);
    private final Binding aRenewed = TestBindings.binding("webmail/a.example", "webmail.a.example", A_RENEWED);
    private final Binding b = TestBindings.binding("webmail/b.example", "webmail.b.example", B);

    @AfterEach
    void noSecretOnAnyCommandLineAndNoPfxLeft() throws Exception {
        windows.assertNoSecretLeft(data.resolve("windows"));
    }

    private IisTarget target() {
        IisSettings d = IisSettings.defaults(data);
        return new IisTarget(new IisSettings(d.windowsDir(), d.webmailPath(), "127.0.0.1", 443, Duration.ofMillis(300),
                d.commandTimeout()), windows, Platform.current(), windows.iisProbe());
    }

    private static String thumb(TestPki.Leaf leaf) {
        return CertStore.thumbprint(leaf.certificate());
    }

    /** The commands from {@code from} on, as a golden file shows them (thumbprints numbered afresh). */
    private String transcriptSince(int from) {
        FakeWindows replay = new FakeWindows();
        windows.commands().subList(from, windows.commands().size()).forEach(replay::run);
        return replay.transcript();
    }

    /** One word per command: the netsh verb and host, or the PowerShell cmdlet that matters. */
    private List<String> steps(int from) {
        List<String> out = new ArrayList<>();
        for (Command c : windows.commands().subList(from, windows.commands().size())) {
            List<String> x = c.arguments();
            if (x.get(0).equals("netsh")) {
                String hash = x.stream().filter(s -> s.startsWith("certhash=")).findFirst().map(s -> " " + s.substring(9))
                        .orElse("");
                out.add("netsh " + x.get(2) + " " + x.get(4).substring("hostnameport=".length()) + hash);
                continue;
            }
            String script = c.input();
            String what = Stream.of("Get-Website", "Get-WebBinding", "New-WebBinding", "Remove-WebBinding",
                    "Import-PfxCertificate", "-DeleteKey", "'present'").filter(script::contains).findFirst().orElse("?");
            out.add(what + c.environment().getOrDefault("MAILCERT_HOST", c.environment().getOrDefault(
                    "MAILCERT_THUMBPRINT", "")).transform(v -> v.isEmpty() ? "" : " " + v));
        }
        return out;
    }

    @Test
    void firstInstallImportsAddsSniBindingsBindsEachCertificateAndProvesEachName() throws Exception {
        Target.Change change = target().apply(List.of(b, a));

        assertEquals(Map.of("webmail/a.example", Outcome.INSTALLED, "webmail/b.example", Outcome.INSTALLED),
                change.report().bindings());
        assertEquals(List.of(thumb(A), HttpSys.APP_ID, "MY"), windows.sslCerts.get("webmail.a.example:443"));
        assertEquals(List.of(thumb(B), HttpSys.APP_ID, "MY"), windows.sslCerts.get("webmail.b.example:443"));
        assertTrue(windows.webBindings.contains(List.of("https", "*:443:webmail.a.example", "1")));
        assertEquals("webmail.a.example", windows.store.get(thumb(A)), "FriendlyName is the CN");
        Golden.assertMatches("windows", "iis-first-install.txt", windows.transcript());
        change.commit();
        assertEquals(2, windows.store.size());
    }

    @Test
    void nothingToDoOnlyReads() throws Exception {
        target().apply(List.of(a, b)).commit();
        int before = windows.commands().size();

        Target.Change change = target().apply(List.of(a, b));
        change.commit();

        assertEquals(Map.of("webmail/a.example", Outcome.UNCHANGED, "webmail/b.example", Outcome.UNCHANGED),
                change.report().bindings());
        assertEquals(List.of("Get-Website", "Get-WebBinding", "'present' " + thumb(A), "netsh show webmail.a.example:443",
                "'present' " + thumb(B), "netsh show webmail.b.example:443"), steps(before));
        Golden.assertMatches("windows", "iis-noop.txt", transcriptSince(before));
    }

    @Test
    void renewalBindsTheNewHashAndRemovesTheOldCertificateOnlyAtCommit() throws Exception {
        target().apply(List.of(a, b)).commit();
        int before = windows.commands().size();

        Target.Change change = target().apply(List.of(aRenewed, b));

        assertEquals(Map.of("webmail/a.example", Outcome.INSTALLED, "webmail/b.example", Outcome.UNCHANGED),
                change.report().bindings());
        assertEquals(thumb(A_RENEWED), windows.sslCerts.get("webmail.a.example:443").get(0));
        assertTrue(windows.store.containsKey(thumb(A)), "the old certificate stays until commit");
        List<String> steps = steps(before);
        assertTrue(steps.indexOf("netsh delete webmail.a.example:443") < steps.indexOf("netsh add webmail.a.example:443 "
                + thumb(A_RENEWED)), steps.toString());
        assertFalse(steps.contains("New-WebBinding webmail.a.example"), "the site binding is kept");

        change.commit();

        assertFalse(windows.store.containsKey(thumb(A)), "removed at commit");
        assertTrue(windows.store.containsKey(thumb(B)), "still used");
        Golden.assertMatches("windows", "iis-renewal.txt", transcriptSince(before));
    }

    @Test
    void failedProbeRestoresTheOldBindingAndRemovesWhatTheApplyAddedNewestFirst() throws Exception {
        target().apply(List.of(a)).commit();
        int before = windows.commands().size();
        windows.unreachable.add("webmail.b.example");

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(aRenewed, b)));

        assertTrue(e.restored(), e.getMessage());
        assertTrue(e.bindingErrors().get("webmail/b.example").contains("handshake for webmail.b.example failed"),
                e.bindingErrors().toString());
        assertEquals(List.of(thumb(A), HttpSys.APP_ID, "MY"), windows.sslCerts.get("webmail.a.example:443"));
        assertFalse(windows.sslCerts.containsKey("webmail.b.example:443"));
        assertEquals(List.of(List.of("http", "*:80:", "0"), List.of("https", "*:443:webmail.a.example", "1")),
                windows.webBindings);
        assertEquals(List.of(thumb(A)), List.copyOf(windows.store.keySet()), "only the old certificate is left");
        List<String> steps = steps(before);
        List<String> undo = steps.subList(steps.indexOf("netsh add webmail.b.example:443 " + thumb(B)) + 1, steps.size());
        assertEquals(List.of("netsh delete webmail.b.example:443", "Remove-WebBinding webmail.b.example",
                "netsh delete webmail.a.example:443", "netsh add webmail.a.example:443 " + thumb(A),
                "-DeleteKey " + thumb(B), "-DeleteKey " + thumb(A_RENEWED)), undo);
        Golden.assertMatches("windows", "iis-rollback.txt", transcriptSince(before));
    }

    /** The lines of the list of what the target added. */
    private List<String> addedNames() throws Exception {
        return Files.readAllLines(data.resolve("windows").resolve("iis.names"));
    }

    @Test
    void unbindingOneOfTwoNamesRemovesItsCertificateBindingAndSiteBindingAndItsCertificateAtCommit() throws Exception {
        target().apply(List.of(a, b)).commit();
        assertEquals(List.of("sslcert webmail.a.example:443", "site webmail.a.example:443", "sslcert webmail.b.example:443",
                "site webmail.b.example:443"), addedNames());
        int before = windows.commands().size();

        Target.Change change = target().apply(List.of(a));

        assertEquals(List.of("webmail.b.example"), change.report().removed());
        assertEquals(Map.of("webmail/a.example", Outcome.UNCHANGED), change.report().bindings());
        assertFalse(windows.sslCerts.containsKey("webmail.b.example:443"));
        assertEquals(List.of(List.of("http", "*:80:", "0"), List.of("https", "*:443:webmail.a.example", "1")),
                windows.webBindings);
        assertTrue(windows.store.containsKey(thumb(B)), "the certificate stays until commit");
        assertEquals(List.of("Get-Website", "Get-WebBinding", "netsh show webmail.b.example:443",
                "netsh delete webmail.b.example:443", "Remove-WebBinding webmail.b.example", "'present' " + thumb(A),
                "netsh show webmail.a.example:443"), steps(before));
        assertEquals(List.of("sslcert webmail.a.example:443", "site webmail.a.example:443"), addedNames());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("windows")
                .resolve("iis.names"))));

        change.commit();

        assertFalse(windows.store.containsKey(thumb(B)), "no name uses it any more");
        assertTrue(windows.store.containsKey(thumb(A)));
        Golden.assertMatches("windows", "iis-unbind.txt", transcriptSince(before));
        assertEquals(List.of(), target().apply(List.of(a)).report().removed(), "removed once");
    }

    @Test
    void aFailureAfterTheRemovalPutsTheRemovedNameBack() throws Exception {
        target().apply(List.of(a, b)).commit();
        int before = windows.commands().size();
        windows.unreachable.add("webmail.a.example");

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(aRenewed)));

        assertTrue(e.restored(), e.getMessage());
        assertEquals(List.of(thumb(B), HttpSys.APP_ID, "MY"), windows.sslCerts.get("webmail.b.example:443"));
        assertEquals(List.of(thumb(A), HttpSys.APP_ID, "MY"), windows.sslCerts.get("webmail.a.example:443"));
        assertTrue(windows.webBindings.contains(List.of("https", "*:443:webmail.b.example", "1")));
        assertTrue(windows.store.containsKey(thumb(B)));
        assertEquals(4, addedNames().size(), "b is listed again");
        List<String> steps = steps(before);
        List<String> undo = steps.subList(steps.indexOf("netsh add webmail.a.example:443 " + thumb(A_RENEWED)) + 1,
                steps.size());
        assertEquals(List.of("netsh delete webmail.a.example:443", "netsh add webmail.a.example:443 " + thumb(A),
                "New-WebBinding webmail.b.example", "netsh add webmail.b.example:443 " + thumb(B),
                "-DeleteKey " + thumb(A_RENEWED)), undo);
        Golden.assertMatches("windows", "iis-unbind-rollback.txt", transcriptSince(before));
    }

    @Test
    void aRemovalIsUndoneWhenAnotherTargetOfTheTransactionFails() throws Exception {
        target().apply(List.of(a, b)).commit();

        Target.Change change = target().apply(List.of(a));
        change.rollback();

        assertEquals(List.of(thumb(B), HttpSys.APP_ID, "MY"), windows.sslCerts.get("webmail.b.example:443"));
        assertTrue(windows.webBindings.contains(List.of("https", "*:443:webmail.b.example", "1")));
        assertEquals(4, addedNames().size());
    }

    @Test
    void aNameTheAdminAddedByHandIsNeverRemoved() throws Exception {
        windows.storeHas(ADMINS.certificate(), "admin's");
        windows.webBindings.add(List.of("https", "*:443:webmail.c.example", "1"));
        windows.sslCerts.put("webmail.c.example:443", List.of(thumb(ADMINS), IIS_APP_ID, "MY"));
        windows.webBindings.add(List.of("https", "*:443:webmail.a.example", "1"));
        windows.sslCerts.put("webmail.a.example:443", List.of(thumb(ADMINS), IIS_APP_ID, "MY"));
        target().apply(List.of(a, b)).commit();
        assertEquals(List.of("sslcert webmail.b.example:443", "site webmail.b.example:443"), addedNames(),
                "a's site binding and certificate binding were there before");
        int before = windows.commands().size();

        Target.Change change = target().apply(List.of());
        change.commit();

        assertEquals(List.of("webmail.b.example"), change.report().removed());
        assertEquals(List.of(List.of("http", "*:80:", "0"), List.of("https", "*:443:webmail.c.example", "1"),
                List.of("https", "*:443:webmail.a.example", "1")), windows.webBindings);
        assertEquals(List.of(thumb(ADMINS), IIS_APP_ID, "MY"), windows.sslCerts.get("webmail.c.example:443"));
        assertEquals(thumb(A), windows.sslCerts.get("webmail.a.example:443").get(0), "left as mailcert last bound it");
        assertTrue(windows.store.containsKey(thumb(A)), "still bound to a name");
        assertTrue(windows.store.containsKey(thumb(ADMINS)), "not the agent's");
        assertFalse(windows.store.containsKey(thumb(B)));
        assertEquals(List.of("Get-Website", "Get-WebBinding", "netsh show webmail.b.example:443",
                "netsh delete webmail.b.example:443", "Remove-WebBinding webmail.b.example",
                "-DeleteKey " + thumb(B)), steps(before));
        assertEquals(List.of(), addedNames());
        Golden.assertMatches("windows", "iis-unbind-hand-added.txt", transcriptSince(before));
    }

    @Test
    void aDamagedListOfAddedNamesNeverBringsANameIntoACommand() throws Exception {
        Files.createDirectories(data.resolve("windows"));
        Files.writeString(data.resolve("windows").resolve("iis.names"), String.join("\n", "site webmail.a.example;x:443",
                "sslcert WEBMAIL.A.EXAMPLE:443", "site $(Remove-Item).example:443", "sslcert webmail.a.example:99999",
                "site webmail.a.example:443 certhash=00", "site webmail.z.example:443", ""));

        Target.Change change = target().apply(List.of());

        assertEquals(List.of(), change.report().removed());
        assertEquals(List.of("Get-Website", "Get-WebBinding"), steps(0), "only the valid line, and its binding is gone");
        assertEquals(List.of(), addedNames());
    }

    @Test
    void noSiteWithTheWebmailPathIsAClearErrorBeforeAnyChange() {
        windows.websites = FakeWindows.recorded("get-website-no-webmail.json");

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(a)));

        assertTrue(e.getMessage().contains("no IIS site has the physical path C:\\Program Files (x86)\\Mail Enable\\Bin"
                + "\\NETWebMail"), e.getMessage());
        assertTrue(e.getMessage().contains("'Default Web Site' (C:\\inetpub\\wwwroot)"), e.getMessage());
        assertTrue(e.getMessage().contains("--iis-webmail-path"), e.getMessage());
        assertTrue(windows.store.isEmpty());
        Golden.assertMatches("windows", "iis-no-site.txt", windows.transcript());
    }

    @Test
    void severalSitesWithTheWebmailPathAreRefused() {
        String one = FakeWindows.recorded("get-website.json");
        windows.websites = one.replace("\"Default Web Site\"", "\"Copy\"").replace("C:\\\\inetpub\\\\wwwroot",
                "c:/program files (x86)/mail enable/bin/netwebmail");

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(a)));

        assertTrue(e.getMessage().contains("2 IIS sites have the physical path"), e.getMessage());
        assertTrue(e.getMessage().contains("'Copy', 'MailEnable WebMail'"), e.getMessage());
    }

    @Test
    void aNameTheSiteBindsWithoutSniIsRefusedBeforeAnyChange() {
        windows.webBindings.add(List.of("https", "*:443:webmail.a.example", "0"));

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(a)));

        assertTrue(e.bindingErrors().get("webmail/a.example").contains("without SNI"), e.bindingErrors().toString());
        assertEquals(List.of("Get-Website", "Get-WebBinding"), steps(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"webmail.a.example;Remove-Item", "webmail.a.example'", "webmail.\"a\".example",
            "webmail.a.example\nRemove-Item C:\\", "$(Remove-Item).example", "webmail.a.example:443 certhash=00",
            "WEBMAIL.A.EXAMPLE", "*.a.example"})
    void hostileNamesAreRefusedBeforeAnyCommandRuns(String hostile) {
        Binding bad = TestBindings.binding("webmail/a.example", hostile, A);

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(b, bad)));

        assertTrue(e.bindingErrors().containsKey("webmail/a.example"), e.bindingErrors().toString());
        assertEquals(List.of(), windows.commands());
        Golden.assertMatches("windows", "iis-hostile.txt", windows.transcript());
    }

    @Test
    void otherScopesAreNotThisTargets() throws Exception {
        Binding server = TestBindings.binding("server", "mx1.a.example", SERVER);
        Binding mail = TestBindings.binding("mail/a.example", "mail.a.example", SERVER);

        Target.Change change = target().apply(List.of(server, mail));

        assertEquals(Map.of(), change.report().bindings());
        assertEquals(List.of(), windows.commands());
    }

    @Test
    void driftObservesEachWebmailNameBySniOnly() throws Exception {
        TargetObservation o = target().observe(List.of(a, b, TestBindings.binding("server", "mx1.a.example", SERVER)));

        assertEquals(Map.of("webmail.a.example", "webmail/a.example", "webmail.b.example", "webmail/b.example"), o.names());
        assertFalse(o.serverWide());
        assertTrue(o.files().isEmpty() && o.configs().isEmpty());
        assertEquals(443, o.endpoints().get(0).port());
    }

    @Test
    void factsNameIisAndItsVersion() throws Exception {
        TargetFacts facts = target().inspect();

        assertEquals("IIS", facts.software());
        assertEquals("10.0", facts.version());
        assertEquals(List.of(), facts.problems());
    }

    @Test
    void readsPowerShellJsonAsOneObjectOrAnArray() {
        assertEquals(FakeWindows.recorded("get-webbinding.json"), windows.webBindingsJson(),
                "the fake prints bindings as the fixture shows them");
        List<Map<?, ?>> one = IisSites.records("{\"name\":  \"W\",\"physicalPath\":  \"C:\\\\x\",\"id\":  7}", "x");
        assertEquals("C:\\x", one.get(0).get("physicalPath"));
        assertEquals(2, IisSites.records(FakeWindows.recorded("get-website.json"), "x").size());
        assertEquals(List.of(), IisSites.records("", "x"));
        assertThrows(IllegalArgumentException.class, () -> IisSites.records("[1, 2]", "x"));
        assertTrue(IisSites.samePath("C:\\Program Files (x86)\\Mail Enable\\Bin\\NETWebMail\\",
                "c:/program files (x86)/mail enable/bin/netwebmail"));
    }
}
