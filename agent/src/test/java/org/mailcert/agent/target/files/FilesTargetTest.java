package org.mailcert.agent.target.files;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommonsExecRunner;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;

class FilesTargetTest {
    @TempDir
    Path dir;

    private final RecordingCommandRunner runner = new RecordingCommandRunner();
    private final TestPki.Leaf serverLeaf = TestBindings.leaf("mx1.example.com");
    private final TestPki.Leaf mailLeaf = TestBindings.leaf("mail.example.com", "*.example.com");
    private final Binding server = TestBindings.binding("server", "mx1.example.com", serverLeaf);
    private final Binding mail = TestBindings.binding("mail/example.com", "mail.example.com", mailLeaf);

    private FilesTarget target(List<String> command) {
        return new FilesTarget(dir, command, runner);
    }

    private Path live(String name, String file) {
        return dir.resolve("live").resolve(name).resolve(file);
    }

    private String read(Path file) throws IOException {
        return Files.readString(file, US_ASCII);
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void writesTheCertbotLayoutWithAPrivateKeyFile() throws Exception {
        Target.Change change = target(List.of()).apply(List.of(server, mail));
        change.commit();

        assertEquals(mailLeaf.chainPem(), read(live("mail.example.com", "fullchain.pem")));
        assertEquals(Pem.certificates(List.of(mailLeaf.certificate())), read(live("mail.example.com", "cert.pem")));
        assertEquals(Pem.certificates(mailLeaf.chain().subList(1, mailLeaf.chain().size())), read(live("mail.example.com", "chain.pem")));
        assertEquals(mailLeaf.keyPem(), read(live("mail.example.com", "privkey.pem")));
        assertEquals("rw-------", mode(live("mail.example.com", "privkey.pem")));
        assertEquals("rw-r--r--", mode(live("mail.example.com", "fullchain.pem")));
        assertEquals(serverLeaf.chainPem(), read(live("mx1.example.com", "fullchain.pem")));
        assertEquals(Map.of("server", Outcome.INSTALLED, "mail/example.com", Outcome.INSTALLED),
                change.report().bindings());
        assertTrue(read(dir.resolve(FilesTarget.MANIFEST)).contains("mail.example.com\nmx1.example.com\n"));
        try (Stream<Path> all = Files.walk(dir)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary files left");
        }
    }

    @Test
    void unchangedFilesAreNotRewrittenAndTheCommandDoesNotRun() throws Exception {
        FilesTarget target = target(List.of("reload-it"));
        target.apply(List.of(server, mail)).commit();
        FileTime old = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));
        for (String f : List.of("fullchain.pem", "privkey.pem", "cert.pem", "chain.pem")) {
            Files.setLastModifiedTime(live("mail.example.com", f), old);
        }
        int commandsBefore = runner.commands().size();

        Target.Change again = target.apply(List.of(server, mail));

        for (String f : List.of("fullchain.pem", "privkey.pem", "cert.pem", "chain.pem")) {
            assertEquals(old, Files.getLastModifiedTime(live("mail.example.com", f)), f + " was rewritten");
        }
        assertEquals(Map.of("server", Outcome.UNCHANGED, "mail/example.com", Outcome.UNCHANGED),
                again.report().bindings());
        assertFalse(again.report().changed());
        assertEquals(commandsBefore, runner.commands().size());
    }

    @Test
    void aChangedCertificateReplacesTheFileByRename() throws Exception {
        FilesTarget target = target(List.of());
        target.apply(List.of(mail)).commit();
        Object inodeBefore = Files.getAttribute(live("mail.example.com", "fullchain.pem"), "unix:ino");
        TestPki.Leaf renewed = TestBindings.leaf("mail.example.com");

        Target.Change change = target.apply(List.of(TestBindings.binding("mail/example.com", "mail.example.com",
                renewed)));

        assertEquals(renewed.chainPem(), read(live("mail.example.com", "fullchain.pem")));
        assertEquals(renewed.keyPem(), read(live("mail.example.com", "privkey.pem")));
        assertNotEquals(inodeBefore, Files.getAttribute(live("mail.example.com", "fullchain.pem"), "unix:ino"),
                "a new file was renamed into place, not the old one overwritten");
        assertEquals(Outcome.INSTALLED, change.report().bindings().get("mail/example.com"));
    }

    @Test
    void removedBindingsLoseTheirDirectoryButForeignDirectoriesStay() throws Exception {
        FilesTarget target = target(List.of());
        target.apply(List.of(server, mail)).commit();
        Path foreign = dir.resolve("live").resolve("other.example.net");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("fullchain.pem"), "not ours");

        Target.Change change = target.apply(List.of(server));

        assertFalse(Files.exists(dir.resolve("live").resolve("mail.example.com")));
        assertTrue(Files.exists(live("mx1.example.com", "fullchain.pem")));
        assertTrue(Files.exists(foreign.resolve("fullchain.pem")));
        assertEquals(List.of("mail.example.com"), change.report().removed());
    }

    @Test
    void aForeignFileInAManagedDirectoryKeepsTheDirectory() throws Exception {
        FilesTarget target = target(List.of());
        target.apply(List.of(mail)).commit();
        Files.writeString(live("mail.example.com", "notes.txt"), "operator's");

        target.apply(List.of()).commit();

        assertFalse(Files.exists(live("mail.example.com", "privkey.pem")));
        assertTrue(Files.exists(live("mail.example.com", "notes.txt")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc", "..", "mail.example.com/../../x", "a/b", "/etc/passwd", "*.example.com",
        "mail example.com", "mail.example.com\n", ""})
    void servedNamesThatAreNotHostNamesAreRefusedBeforeAnythingIsWritten(String served) throws Exception {
        Binding evil = TestBindings.binding("mail/evil.example", served, mailLeaf);

        TargetException e = assertThrows(TargetException.class, () -> target(List.of()).apply(List.of(server, evil)));

        assertTrue(e.bindingErrors().containsKey("mail/evil.example"), e.bindingErrors().toString());
        assertFalse(e.bindingErrors().containsKey("server"));
        assertFalse(Files.exists(dir.resolve("live")), "nothing written");
        assertFalse(Files.exists(dir.getParent().resolve("etc")));
    }

    @Test
    void twoBindingsServingOneNameWithDifferentCertificatesAreRefused() {
        Binding server2 = TestBindings.binding("server", "mail.example.com", serverLeaf);
        TargetException e = assertThrows(TargetException.class, () -> target(List.of()).apply(List.of(server2, mail)));
        assertEquals(2, e.bindingErrors().size());
    }

    @Test
    void theCommandRunsAfterAChangeWithTheChangedNames() throws Exception {
        FilesTarget target = target(List.of("/usr/local/bin/reload", "--all"));
        target.apply(List.of(server)).commit();
        target.apply(List.of(server, mail)).commit();

        assertEquals(2, runner.commands().size());
        assertEquals(List.of("/usr/local/bin/reload", "--all"), runner.commands().get(1).arguments());
        assertEquals("mail.example.com", runner.commands().get(1).environment().get("MAILCERT_CHANGED"));
        assertEquals(FilesTarget.COMMAND_TIMEOUT, runner.commands().get(1).timeout());

        target.apply(List.of(mail)).commit();
        assertEquals("mx1.example.com", runner.commands().get(2).environment().get("MAILCERT_CHANGED"),
                "a removal is a change too");
    }

    @Test
    void aFailingCommandRestoresThePreviousFiles() throws Exception {
        FilesTarget target = target(List.of("reload-it"));
        target.apply(List.of(server, mail)).commit();
        byte[] oldChain = Files.readAllBytes(live("mail.example.com", "fullchain.pem"));
        byte[] oldKey = Files.readAllBytes(live("mail.example.com", "privkey.pem"));
        TestPki.Leaf renewed = TestBindings.leaf("mail.example.com");
        TestPki.Leaf webmailLeaf = TestBindings.leaf("webmail.example.com");
        runner.thenReturn(new CommandResult(3, "checking\nreload failed: bad certificate\n", "", false));

        TargetException e = assertThrows(TargetException.class, () -> target.apply(List.of(server,
                TestBindings.binding("mail/example.com", "mail.example.com", renewed),
                TestBindings.binding("webmail/example.com", "webmail.example.com", webmailLeaf))));

        assertTrue(e.getMessage().contains("exited 3: reload failed: bad certificate"), e.getMessage());
        assertTrue(e.restored());
        assertEquals(java.util.Set.of("mail/example.com", "webmail/example.com"), e.bindingErrors().keySet());
        assertArrayEquals(oldChain, Files.readAllBytes(live("mail.example.com", "fullchain.pem")));
        assertArrayEquals(oldKey, Files.readAllBytes(live("mail.example.com", "privkey.pem")));
        assertEquals("rw-------", mode(live("mail.example.com", "privkey.pem")));
        assertFalse(Files.exists(dir.resolve("live").resolve("webmail.example.com")));
        assertFalse(read(dir.resolve(FilesTarget.MANIFEST)).contains("webmail"));
        assertEquals(3, runner.commands().size(), "apply, failed apply, then again after restoring");
        assertEquals("mail.example.com webmail.example.com",
                runner.commands().get(2).environment().get("MAILCERT_CHANGED"));
    }

    @Test
    void rollbackOfACommittedLookingChangeRestoresRemovedFiles() throws Exception {
        FilesTarget target = target(List.of());
        target.apply(List.of(server, mail)).commit();
        String oldKey = read(live("mail.example.com", "privkey.pem"));

        Target.Change change = target.apply(List.of(server));
        assertFalse(Files.exists(live("mail.example.com", "privkey.pem")));
        change.rollback();

        assertEquals(oldKey, read(live("mail.example.com", "privkey.pem")));
        assertEquals("rw-------", mode(live("mail.example.com", "privkey.pem")));
        assertTrue(read(dir.resolve(FilesTarget.MANIFEST)).contains("mail.example.com"));
    }

    @Test
    void aManifestEntryThatIsNotAHostNameIsNeverDeleted() throws Exception {
        Path victim = dir.resolve("precious");
        Files.createDirectories(victim);
        Files.writeString(victim.resolve("fullchain.pem"), "keep me");
        Files.writeString(dir.resolve(FilesTarget.MANIFEST), "../precious\n");

        target(List.of()).apply(List.of(server)).commit();

        assertTrue(Files.exists(victim.resolve("fullchain.pem")));
    }

    @Test
    void aRealShellCommandSeesTheChangedNamesAndItsFailureRollsBack() throws Exception {
        Path log = dir.resolve("reload.log");
        Path flag = dir.resolve("fail");
        FilesTarget target = new FilesTarget(dir, List.of("/bin/sh", "-c",
                "echo \"changed: $MAILCERT_CHANGED\" >> '" + log + "'; if [ -e '" + flag + "' ]; then"
                        + " echo 'nginx: [emerg] cannot load certificate' >&2; exit 4; fi"), new CommonsExecRunner());
        target.apply(List.of(server)).commit();
        assertEquals("changed: mx1.example.com\n", Files.readString(log));

        Files.writeString(flag, "");
        TargetException e = assertThrows(TargetException.class, () -> target.apply(List.of(server, mail)));

        assertTrue(e.getMessage().contains("exited 4: nginx: [emerg] cannot load certificate"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("live").resolve("mail.example.com")));
        assertEquals(serverLeaf.chainPem(), read(live("mx1.example.com", "fullchain.pem")));
    }
}
