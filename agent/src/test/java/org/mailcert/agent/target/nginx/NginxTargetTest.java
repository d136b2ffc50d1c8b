package org.mailcert.agent.target.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.RecordingCommandRunner;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.Golden;
import org.mailcert.common.testing.TestPki;

/** The nginx target's decisions with a scripted nginx: what it writes, runs and restores. */
class NginxTargetTest {
    private static final TestPki.Leaf A = TestBindings.leaf("webmail.a.example");
    private static final TestPki.Leaf B = TestBindings.leaf("webmail.b.example");

    @TempDir
    Path tmp;
    private final RecordingCommandRunner runner = new RecordingCommandRunner();

    private NginxSettings settings(Path base, NginxSettings.Upstream upstream) {
        return new NginxSettings(Path.of("/usr/sbin/nginx"), base.resolve("nginx.conf"),
                base.resolve("conf.d/mailcert-webmail.conf"), base.resolve("mailcert"), List.of("443"), upstream,
                Duration.ofSeconds(1));
    }

    private NginxTarget target() {
        return new NginxTarget(settings(tmp, new NginxSettings.Proxy(URI.create("http://127.0.0.1:8080"))), runner,
                (endpoint, sni) -> {
                    throw new ProbeException("no nginx here", null);
                });
    }

    private static Binding webmail(String domain, TestPki.Leaf leaf) {
        return TestBindings.binding("webmail/" + domain, "webmail." + domain, leaf);
    }

    private static List<String> words(Command c) {
        return c.arguments();
    }

    @Test
    void theManagedFileHasOneServerBlockPerWebmailName() {
        NginxTarget fixed = new NginxTarget(settings(Path.of("/etc/nginx"),
                new NginxSettings.Proxy(URI.create("http://127.0.0.1:8080"))), runner, (e, s) -> {
                    throw new ProbeException("unused", null);
                });
        String text = fixed.render(List.of(webmail("a.example", A), webmail("b.example", B)))
                .replace(TestBindings.sha(A).substring(0, 32), "<sha-a>").replace(TestBindings.sha(B).substring(0, 32),
                        "<sha-b>");
        Golden.assertMatches("nginx", "mailcert-webmail.conf", text);

        NginxTarget root = new NginxTarget(settings(Path.of("/etc/nginx"),
                new NginxSettings.Root(Path.of("/usr/share/roundcube"))), runner, (e, s) -> {
                    throw new ProbeException("unused", null);
                });
        assertTrue(root.render(List.of(webmail("a.example", A))).contains("        root /usr/share/roundcube;\n"));
    }

    @Test
    void aConfigurationNginxRefusesIsRestoredWithoutAReload() throws Exception {
        runner.thenReturn(new CommandResult(1, "", "nginx: [emerg] cannot load certificate key \"x\"\n"
                + "nginx: configuration file /etc/nginx/nginx.conf test failed\n", false));

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(webmail("a.example", A))));

        assertTrue(e.getMessage().contains("[emerg] cannot load certificate key"), e.getMessage());
        assertTrue(e.restored());
        assertFalse(Files.exists(tmp.resolve("conf.d/mailcert-webmail.conf")), "the managed file is gone again");
        assertFalse(Files.exists(tmp.resolve("mailcert")), "no key file or directory is left behind");
        assertEquals(List.of(List.of("/usr/sbin/nginx", "-T", "-c", tmp.resolve("nginx.conf").toString())),
                runner.commands().stream().map(NginxTargetTest::words).toList(), "checked, never reloaded");
    }

    @Test
    void aConfigurationThatDoesNotIncludeTheManagedFileIsRestoredWithTheIncludeToAdd() throws Exception {
        runner.thenReturn(CommandResult.exited(0, "# configuration file " + tmp.resolve("nginx.conf") + ":\nhttp { }\n"));

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(webmail("a.example", A))));

        assertTrue(e.getMessage().contains("include " + tmp.resolve("conf.d/mailcert-webmail.conf")), e.getMessage());
        assertTrue(e.restored());
        assertFalse(Files.exists(tmp.resolve("conf.d/mailcert-webmail.conf")));
    }

    @Test
    void aProbeThatNeverShowsTheNewCertificateRestoresAndReloadsAgain() throws Exception {
        String managed = tmp.resolve("conf.d/mailcert-webmail.conf").toString();
        runner.thenReturn(CommandResult.exited(0, "# configuration file " + managed + ":\n"))
                .thenReturn(CommandResult.exited(0, ""))
                .thenReturn(CommandResult.exited(0, ""));

        TargetException e = assertThrows(TargetException.class, () -> target().apply(List.of(webmail("a.example", A))));

        assertTrue(e.bindingErrors().get("webmail/a.example").contains("no nginx here"), e.bindingErrors().toString());
        assertTrue(e.restored());
        List<List<String>> ran = runner.commands().stream().map(NginxTargetTest::words).toList();
        List<String> reload = List.of("/usr/sbin/nginx", "-s", "reload", "-c", tmp.resolve("nginx.conf").toString());
        assertEquals(List.of(reload, reload), ran.subList(1, 3), "reloaded with the new files, then with the old");
        assertFalse(Files.exists(tmp.resolve("conf.d/mailcert-webmail.conf")));
    }

    @Test
    void settingsRefuseWhatTheConfigurationCannotHold() {
        Path base = Path.of("/etc/nginx");
        for (String url : List.of("http://127.0.0.1:8080/;return", "ftp://x", "http://x/ a", "http://x/$host",
                "http://x/?q=1")) {
            assertThrows(IllegalArgumentException.class, () -> new NginxSettings.Proxy(URI.create(url)), url);
        }
        assertThrows(IllegalArgumentException.class, () -> new NginxSettings.Root(Path.of("relative/dir")));
        assertThrows(IllegalArgumentException.class, () -> new NginxSettings.Root(Path.of("/srv/web mail")));
        assertThrows(IllegalArgumentException.class, () -> new NginxSettings(Path.of("/usr/sbin/nginx"),
                base.resolve("nginx.conf"), base.resolve("conf.d/x.conf"), base.resolve("mailcert"),
                List.of("443", "443; include x"), new NginxSettings.Root(Path.of("/srv")), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new NginxSettings(Path.of("/usr/sbin/nginx"),
                base.resolve("nginx.conf"), base.resolve("conf.d/x.conf"), base.resolve("mailcert"), List.of(),
                new NginxSettings.Root(Path.of("/srv")), Duration.ofSeconds(1)));
        NginxSettings dual = new NginxSettings(Path.of("/usr/sbin/nginx"), base.resolve("nginx.conf"),
                base.resolve("conf.d/x.conf"), base.resolve("mailcert"), List.of("8443", "[::]:8443", "0.0.0.0:8443",
                "192.0.2.7:9443"), new NginxSettings.Root(Path.of("/srv")), Duration.ofSeconds(1));
        assertEquals(List.of("127.0.0.1:8443", "::1:8443", "192.0.2.7:9443"),
                dual.endpoints().stream().map(e -> e.address() + ":" + e.port()).toList(),
                "loopback for the wildcards, once each");
        assertEquals(java.util.Set.of(8443, 9443), dual.ports());
    }

    @Test
    void serverBlocksAreFoundWithTheirNamesAndPorts() {
        String dump = "# configuration file /etc/nginx/nginx.conf:\nhttp { include /etc/nginx/sites-enabled/*; }\n"
                + "# configuration file /etc/nginx/sites-enabled/webmail:\n"
                + "server { # a comment with server_name fake.example;\n listen [::]:443 ssl; listen 443 ssl;\n"
                + "  server_name Webmail.A.example \"webmail.b.example\";\n location / { return 200; }\n}\n"
                + "server { server_name plain.example; }\n"
                + "upstream app { server 127.0.0.1:8080; }\n";

        List<ServerBlocks.Block> blocks = ServerBlocks.parse(dump);

        assertEquals(2, blocks.size(), blocks.toString());
        assertEquals(List.of("webmail.a.example", "webmail.b.example"), blocks.get(0).names());
        assertEquals(List.of(443, 443), blocks.get(0).ports());
        assertEquals(Path.of("/etc/nginx/sites-enabled/webmail"), blocks.get(0).file());
        assertEquals(List.of(80), blocks.get(1).ports(), "no listen means port 80");
    }
}
