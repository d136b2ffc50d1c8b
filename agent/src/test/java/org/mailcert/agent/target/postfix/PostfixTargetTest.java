package org.mailcert.agent.target.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.Golden;
import org.mailcert.common.testing.TestPki;

class PostfixTargetTest {
    @TempDir
    Path dir;

    final FakePostfix postfix = new FakePostfix();
    final TestPki.Leaf serverLeaf = TestBindings.leaf("mx.example.org");
    final TestPki.Leaf aLeaf = TestBindings.leaf("mail.a.example.com");
    final TestPki.Leaf a2Leaf = TestBindings.leaf("mail.a.example.com");
    final TestPki.Leaf netLeaf = TestBindings.leaf("*.example.net", "example.net");
    final Binding server = TestBindings.binding("server", "mx.example.org", serverLeaf);
    final Binding a = TestBindings.binding("mail/a.example.com", "mail.a.example.com", aLeaf);
    final Binding a2 = TestBindings.binding("mail/a.example.com", "mail.a.example.com", a2Leaf);
    final Binding net = TestBindings.binding("mail/example.net", "mail.example.net", netLeaf);
    final Binding webmail = TestBindings.binding("webmail/a.example.com", "webmail.a.example.com", aLeaf);

    /** A stand-in configuration directory (the target touches main.cf's modification time). */
    Path config() throws java.io.IOException {
        Path c = dir.resolve("etc-postfix");
        if (!Files.exists(c.resolve("main.cf"))) {
            Files.createDirectories(c);
            Files.writeString(c.resolve("main.cf"), "");
        }
        return c;
    }

    Path managed() {
        return dir.resolve("agent").resolve("postfix");
    }

    PostfixTarget target(org.mailcert.agent.exec.CommandRunner runner) throws java.io.IOException {
        return new PostfixTarget(new PostfixSettings(config(), managed(), "127.0.0.1", Duration.ofMillis(300),
                Duration.ofSeconds(5)), runner, postfix);
    }

    Map<String, String> names() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put(managed().toString(), "$MANAGED");
        r.put(dir.resolve("etc-postfix").toString(), "/etc/postfix");
        for (Binding b : List.of(server, a, a2, net)) {
            r.put(b.leafSha256().substring(0, 16), "<leaf:" + b.id() + (b == a2 ? "#2" : "") + ">");
        }
        return r;
    }

    String normalise(String text) {
        for (Map.Entry<String, String> e : names().entrySet()) {
            text = text.replace(e.getKey(), e.getValue());
        }
        return text.replaceAll("sni-[0-9a-f]{16}", "sni-<hash>");
    }

    Set<String> files() throws Exception {
        if (!Files.isDirectory(managed())) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(managed())) {
            return new TreeSet<>(s.map(p -> normalise(p.getFileName().toString())).toList());
        }
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aFirstApplyRendersTheMapSwitchesMainCfOnceReloadsAndProbes() throws Exception {
        Path mainCf = config().resolve("main.cf");
        Files.setLastModifiedTime(mainCf, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        long before = Files.getLastModifiedTime(mainCf).toMillis();
        Target.Change change = target(postfix).apply(List.of(server, a, net, webmail));
        assertEquals(before - 2000, Files.getLastModifiedTime(mainCf).toMillis(), "main.cf's mtime moved back 2 s");
        Golden.assertMatches("postfix", "apply-commands.txt", postfix.transcript(names()));
        String maps = postfix.mainCf.get(PostfixTarget.SNI_MAPS);
        Path source = Path.of(maps.substring("hash:".length()));
        Golden.assertMatches("postfix", "rendered-map.txt", normalise(Files.readString(source)));
        assertEquals("rw-------", mode(source));
        assertEquals("rw-------", mode(Path.of(source + ".db")));
        assertEquals("rwx------", mode(managed()));
        assertEquals(1, postfix.reloads);
        assertEquals(Map.of("server", Outcome.INSTALLED, "mail/a.example.com", Outcome.INSTALLED,
                "mail/example.net", Outcome.INSTALLED, "webmail/a.example.com", Outcome.UNCHANGED),
                change.report().bindings());
        assertTrue(postfix.mainCf.get(PostfixTarget.CHAIN_FILES).endsWith(
                server.leafSha256().substring(0, 16) + ".keychain.pem"));
        change.commit();
    }

    @Test
    void theSameSetAgainChangesNothingAndDoesNotReload() throws Exception {
        PostfixTarget target = target(postfix);
        target.apply(List.of(server, a, net)).commit();
        int commands = postfix.commands.size();
        Target.Change again = target.apply(List.of(server, a, net));
        assertEquals(1, postfix.reloads);
        assertFalse(again.report().changed());
        assertTrue(postfix.commands.subList(commands, postfix.commands.size()).stream()
                .noneMatch(c -> c.arguments().contains("-e") || c.arguments().contains("reload")));
    }

    @Test
    void anAgentThatDiedBetweenTheSwitchAndTheReloadReloadsOnTheNextApply() throws Exception {
        PostfixTarget target = target(postfix);
        target.seam(step -> {
            if (step.equals("config-switched")) {
                throw new IllegalStateException("killed");
            }
        });
        assertThrows(IllegalStateException.class, () -> target.apply(List.of(server, a)));
        assertEquals(0, postfix.reloads);
        assertTrue(Files.exists(managed().resolve(PostfixTarget.PENDING)));
        target.seam(step -> { });
        Target.Change again = target.apply(List.of(server, a));
        assertEquals(1, postfix.reloads);
        assertFalse(Files.exists(managed().resolve(PostfixTarget.PENDING)));
        assertEquals(Outcome.UNCHANGED, again.report().bindings().get("server"));
        target.apply(List.of(server, a));
        assertEquals(1, postfix.reloads);
    }

    @Test
    void anUpdateKeepsTheOldFilesUntilCommitAndRollbackRestoresMainCf() throws Exception {
        PostfixTarget target = target(postfix);
        target.apply(List.of(server, a, net)).commit();
        Map<String, String> before = Map.copyOf(postfix.mainCf);
        Target.Change change = target.apply(List.of(server, a2, net));
        assertEquals(Outcome.INSTALLED, change.report().bindings().get("mail/a.example.com"));
        assertEquals(Outcome.UNCHANGED, change.report().bindings().get("mail/example.net"));
        assertTrue(files().contains("<leaf:mail/a.example.com>.key.pem"), files().toString());
        change.rollback();
        assertEquals(before, postfix.mainCf);
        assertFalse(files().contains("<leaf:mail/a.example.com#2>.key.pem"), files().toString());
        assertEquals(3, postfix.reloads);

        target.apply(List.of(server, a2, net)).commit();
        assertFalse(files().contains("<leaf:mail/a.example.com>.key.pem"), files().toString());
        assertEquals(1, files().stream().filter(f -> f.equals("sni-<hash>")).count(), files().toString());
    }

    @Test
    void aProbeThatSeesTheWrongCertificateRestoresTheOldValuesAndFails() throws Exception {
        PostfixTarget target = target(postfix);
        target.apply(List.of(server, a, net)).commit();
        Map<String, String> before = Map.copyOf(postfix.mainCf);
        Set<String> files = files();
        postfix.lieAtReload = postfix.reloads + 1;
        TargetException e = assertThrows(TargetException.class, () -> target.apply(List.of(server, a2, net)));
        assertTrue(e.restored(), e.getMessage());
        assertTrue(e.getMessage().contains("not served after the reload"), e.getMessage());
        assertTrue(e.bindingErrors().containsKey("mail/a.example.com"), e.bindingErrors().toString());
        assertEquals(before, postfix.mainCf);
        assertEquals(files, files());
        assertEquals(3, postfix.reloads);
    }

    @Test
    void removingOneNameRebuildsTheMapWithoutQueryingTheRemovedName() throws Exception {
        PostfixTarget target = target(postfix);
        target.apply(List.of(server, a, net)).commit();
        int commands = postfix.commands.size();
        Target.Change change = target.apply(List.of(server, net));
        change.commit();
        assertEquals(List.of("mail.a.example.com"), change.report().removed());
        assertTrue(postfix.commands.subList(commands, postfix.commands.size()).stream()
                .noneMatch(c -> c.arguments().contains("mail.a.example.com")));
        assertFalse(files().contains("<leaf:mail/a.example.com>.key.pem"), files().toString());
    }

    @Test
    void aSmallChangeToALargeMapUpdatesACopyOfTheAppliedDatabase() throws Exception {
        PostfixTarget target = target(postfix);
        target.incrementalFrom(2);
        target.apply(List.of(server, a, net)).commit();
        String oldMap = postfix.mainCf.get(PostfixTarget.SNI_MAPS);
        String oldDb = Files.readString(Path.of(oldMap.substring("hash:".length()) + ".db"));
        int commands = postfix.commands.size();

        Target.Change change = target.apply(List.of(server, a2, net));
        change.commit();
        List<String> ran = postfix.commands.subList(commands, postfix.commands.size()).stream()
                .map(c -> normalise(c.display())).toList();
        assertTrue(ran.contains("postmap -c /etc/postfix -F -i -r hash:$MANAGED/sni-<hash>"), ran.toString());
        assertTrue(ran.stream().noneMatch(c -> c.equals("postmap -c /etc/postfix -F hash:$MANAGED/sni-<hash>")),
                "no full build: " + ran);
        String input = postfix.commands.stream().filter(c -> c.arguments().contains("-i")).findFirst().orElseThrow()
                .input();
        assertEquals("mail.a.example.com", input.strip().split(" ")[0], input);
        assertEquals(1, input.strip().lines().count(), input);
        String newMap = postfix.mainCf.get(PostfixTarget.SNI_MAPS);
        Path newDb = Path.of(newMap.substring("hash:".length()) + ".db");
        assertEquals("rw-------", mode(newDb));
        assertEquals(oldDb, oldDb, "the applied database is never written");
        assertEquals(SniMap.parse(Files.readString(Path.of(newMap.substring("hash:".length())))),
                SniMap.parse(Files.readString(newDb)), "the updated copy holds what the new source lists");
        assertEquals(Outcome.INSTALLED, change.report().bindings().get("mail/a.example.com"));
        assertFalse(Files.exists(Path.of(oldMap.substring("hash:".length()) + ".db")), "the old map is pruned");
    }

    @Test
    void aRemovedNameIsDeletedFromTheCopyWithPostmapD() throws Exception {
        PostfixTarget target = target(postfix);
        target.incrementalFrom(2);
        Binding b = TestBindings.binding("mail/b.example.com", "mail.b.example.com", TestBindings.leaf("mail.b.example.com"));
        target.apply(List.of(server, a, b, net)).commit();
        int commands = postfix.commands.size();
        Target.Change change = target.apply(List.of(server, a, net));
        change.commit();
        var delete = postfix.commands.subList(commands, postfix.commands.size()).stream()
                .filter(c -> c.arguments().contains("-d")).findFirst().orElseThrow();
        assertEquals("mail.b.example.com\n", delete.input());
        String map = postfix.mainCf.get(PostfixTarget.SNI_MAPS);
        assertFalse(SniMap.parse(Files.readString(Path.of(map.substring("hash:".length()) + ".db")))
                .containsKey("mail.b.example.com"));
        assertEquals(List.of("mail.b.example.com"), change.report().removed());
    }

    @Test
    void aChangeOfMoreThanAQuarterOfTheMapBuildsItWhole() throws Exception {
        PostfixTarget target = target(postfix);
        target.incrementalFrom(2);
        target.apply(List.of(server, a, net)).commit();
        int commands = postfix.commands.size();
        target.apply(List.of(server, a2, TestBindings.binding("mail/example.net", "mail.example.net",
                TestBindings.leaf("*.example.net", "example.net")))).commit();
        assertTrue(postfix.commands.subList(commands, postfix.commands.size()).stream()
                .noneMatch(c -> c.arguments().contains("-i")));
    }

    @Test
    void removingTheServerBindingGivesTheAdminsOwnChainFilesBack() throws Exception {
        Path adminChain = dir.resolve("admin-chain.pem");
        Files.writeString(adminChain, a.keyPem() + a.fullChainPem());
        postfix.mainCf.put(PostfixTarget.CHAIN_FILES, adminChain.toString());
        PostfixTarget target = target(postfix);
        target.apply(List.of(server, a)).commit();
        assertTrue(postfix.mainCf.get(PostfixTarget.CHAIN_FILES).startsWith(managed().toString()));

        target.apply(List.of(a)).commit();
        assertEquals(adminChain.toString(), postfix.mainCf.get(PostfixTarget.CHAIN_FILES));
        assertEquals(adminChain.toString(), postfix.loaded.get(PostfixTarget.CHAIN_FILES), "reloaded with it");

        postfix.mainCf.remove(PostfixTarget.CHAIN_FILES);
        target.apply(List.of(server, a)).commit();
        target.apply(List.of(a)).commit();
        assertFalse(postfix.mainCf.containsKey(PostfixTarget.CHAIN_FILES),
                "an admin who had none gets none: " + postfix.mainCf);
    }

    @Test
    void anEmptySetRemovesTheAgentsParameters() throws Exception {
        PostfixTarget target = target(postfix);
        target.apply(List.of(server, a)).commit();
        Target.Change change = target.apply(List.of());
        change.commit();
        assertFalse(postfix.mainCf.containsKey(PostfixTarget.CHAIN_FILES));
        assertFalse(postfix.mainCf.containsKey(PostfixTarget.SNI_MAPS));
        assertEquals(List.of("mail.a.example.com"), change.report().removed());
        assertEquals(Set.of(), files());
    }

    @Test
    void anAdminsOwnSniMapIsAConflictForMailBindingsOnly() throws Exception {
        postfix.mainCf.put(PostfixTarget.SNI_MAPS, "hash:/etc/postfix/sni");
        PostfixTarget target = target(postfix);
        TargetException e = assertThrows(TargetException.class, () -> target.apply(List.of(server, a, webmail)));
        assertEquals(Set.of("mail/a.example.com"), e.bindingErrors().keySet());
        assertTrue(e.getMessage().contains("hash:/etc/postfix/sni"), e.getMessage());
        assertEquals(1, postfix.commands.size());

        target.apply(List.of(server)).commit();
        assertEquals("hash:/etc/postfix/sni", postfix.mainCf.get(PostfixTarget.SNI_MAPS));
        assertTrue(postfix.mainCf.containsKey(PostfixTarget.CHAIN_FILES));
    }

    @Test
    void aMainCfSyntaxErrorIsRefusedBeforeAnythingIsWritten() throws Exception {
        RecordingCommandRunner runner = new RecordingCommandRunner().thenReturn(new CommandResult(1, "",
                "postconf: fatal: /etc/postfix/main.cf, line 9: missing '=' after attribute name: \"oops\"\n", false));
        TargetException e = assertThrows(TargetException.class, () -> target(runner).apply(List.of(server, a)));
        assertTrue(e.getMessage().contains("missing '='"), e.getMessage());
        assertTrue(e.restored());
        assertEquals(1, runner.commands().size());
        assertEquals(List.of("postconf", "-c", config().toString(), "-n"), runner.commands().get(0).arguments());
        assertEquals(Set.of(), files());
    }

    @Test
    void aWarningFromPostmapThatExitsZeroIsAFailureAndTheNewFilesAreRemoved() throws Exception {
        RecordingCommandRunner runner = new RecordingCommandRunner()
                .thenReturn(CommandResult.exited(0, ""))
                .thenReturn(CommandResult.exited(0, "smtpd_tls_security_level = may\n"))
                .thenReturn(CommandResult.exited(0, FakePostfix.MASTER))
                .thenReturn(CommandResult.exited(0, "hash\n"))
                .thenReturn(new CommandResult(0, "", "postmap: warning: x.key.pem: No such file: skipping this entry\n",
                        false));
        TargetException e = assertThrows(TargetException.class, () -> target(runner).apply(List.of(server, a)));
        assertTrue(e.getMessage().contains("skipping this entry"), e.getMessage());
        assertTrue(e.bindingErrors().containsKey("mail/a.example.com"), e.bindingErrors().toString());
        assertTrue(runner.commands().stream().noneMatch(c -> c.arguments().contains("-e")));
        assertEquals(Set.of(), files());
    }

    @Test
    void hostileNamesAreRefusedBeforeAnyCommandOrFile() throws Exception {
        for (String hostile : List.of("evil.com /etc/shadow", "a\nsmtpd_tls_chain_files=x", "../../x")) {
            Binding bad = new Binding("mail/" + hostile, Scope.MAIL, hostile, "mail." + hostile, "c", 1,
                    a.leafSha256(), a.chain(), a.key());
            RecordingCommandRunner runner = new RecordingCommandRunner();
            TargetException e = assertThrows(TargetException.class, () -> target(runner).apply(List.of(server, bad)));
            assertEquals(Set.of("mail/" + hostile), e.bindingErrors().keySet());
            assertEquals(List.of(), runner.commands());
            assertFalse(Files.exists(managed()));
        }
    }

    @Test
    void twoDifferentServerCertificatesAreRefused() throws Exception {
        Binding other = TestBindings.binding("server", "mx.example.org", aLeaf);
        RecordingCommandRunner runner = new RecordingCommandRunner();
        assertThrows(TargetException.class, () -> target(runner).apply(List.of(server, other)));
        assertEquals(List.of(), runner.commands());
    }
}
