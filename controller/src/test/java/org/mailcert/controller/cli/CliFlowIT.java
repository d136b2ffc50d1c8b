package org.mailcert.controller.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.testing.ControllerProcess;

/**
 * The CLI.md flows of the foundation, run by the real CLI code against a real controller process
 * over TLS: declare a host, import certificates (PEM, encrypted key, PKCS#12), bind, list, ask
 * for client settings, read events; then every bad input of the issue, each of which must exit 1
 * with one line and leave the controller's state exactly as it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliFlowIT {
    private static final String HOST = "mx1.example.net";

    @TempDir
    static Path tmp;
    static ControllerProcess controller;
    static TestPki pki;
    static Path files;
    static final List<String> allOutput = new ArrayList<>();
    static final Map<String, String> env = new HashMap<>();

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.rootCa("CLI Flow Root").intermediate("CLI Flow Intermediate");
        files = Files.createDirectories(tmp.resolve("files"));
        Path roots = files.resolve("roots.pem");
        Files.writeString(roots, org.mailcert.common.pki.Pem.certificates(List.of(pki.root())));
        controller = new ControllerProcess(tmp.resolve("controller"), "--extra-roots", roots.toString()).start();
        env.put("MAILCERT_CONTROLLER", controller.address());
        env.put("MAILCERT_TOKEN_FILE", controller.tokenFile().toString());
        env.put("MAILCERT_CA", controller.caPem().toString());

        write("mx1.pem", pki.leaf(HOST).issue().combinedPem());
        TestPki.Leaf wild = pki.leaf("*.example.com", "example.com").rsa().issue();
        write("wild.chain.pem", wild.chainPem());
        write("wild.key.pem", wild.encryptedKeyPem("key-pass".toCharArray()));
        write("key.pass", "key-pass\n");
        write("org.pfx", pki.leaf("mail.example.org", "webmail.example.org").issue().pkcs12("pfx-pass".toCharArray()));
        write("pfx.pass", "pfx-pass\n");
        write("self.pem", TestPki.selfSigned("mail.example.net").issue().combinedPem());
        TestPki.Leaf a = pki.leaf("mail.example.info").issue();
        TestPki.Leaf b = pki.leaf("mail.example.info").issue();
        write("garbage.pem", "this is not PEM at all\n");
        write("truncated.pem", a.chainPem().substring(0, a.chainPem().length() / 2));
        write("mismatch.chain.pem", a.chainPem());
        write("mismatch.key.pem", b.keyPem());
        write("expired.pem", pki.leaf("mail.example.info").expired().issue().combinedPem());
        write("wrong.pass", "not-the-password\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (controller != null) {
            controller.stop();
        }
        String everything = String.join("\n", allOutput);
        assertFalse(everything.contains("PRIVATE KEY"), "a private key was printed");
    }

    private static void write(String name, String text) throws Exception {
        Files.writeString(files.resolve(name), text, US_ASCII);
    }

    private static void write(String name, byte[] bytes) throws Exception {
        Files.write(files.resolve(name), bytes);
    }

    static Run cli(String... args) {
        return cli(env, args);
    }

    static Run cli(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MailcertCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment, ChannelFactory.tls(), tmp);
        Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        allOutput.add(r.out() + r.err());
        return r;
    }

    static Run ok(String... args) {
        Run r = cli(args);
        assertEquals(0, r.exit(), String.join(" ", args) + " failed: " + r.err());
        return r;
    }

    static String f(String name) {
        return files.resolve(name).toString();
    }

    @Test
    @Order(1)
    void anAdminDeclaresAHostImportsCertificatesAndBindsThem() {
        Run token = ok("token", "create", "--host", HOST, "--ttl", "30m");
        assertTrue(token.out().contains("mc1."), token.out());

        ok("cert", "import", "mx1", "--cert", f("mx1.pem"));
        ok("cert", "import", "wild", "--cert", f("wild.chain.pem"), "--key", f("wild.key.pem"),
                "--password-file", f("key.pass"));
        ok("cert", "import", "org", "--pkcs12", f("org.pfx"), "--password-file", f("pfx.pass"));
        Run self = ok("cert", "import", "self", "--cert", f("self.pem"));
        assertTrue(self.err().contains("warning: ") && self.err().contains("self-signed"), self.err());

        Run mailFirst = ok("bind", HOST, "mail", "example.com", "wild");
        assertTrue(mailFirst.err().contains("only help once the server certificate is valid"), mailFirst.err());
        ok("bind", HOST, "server", "mx1");
        ok("bind", HOST, "webmail", "example.com", "wild");
        ok("bind", HOST, "mail", "example.org", "org");

        Run list = ok("binding", "list", "--host", HOST);
        for (String s : List.of("mail.example.com", "webmail.example.com", "mail.example.org", HOST)) {
            assertTrue(list.out().contains(s), list.out());
        }
        Run json = ok("--output", "json", "binding", "list");
        assertTrue(json.out().trim().startsWith("{") && json.out().contains("\"served_name\": \"mail.example.com\""),
                json.out());

        Run show = ok("host", "show", HOST);
        assertTrue(show.out().contains("pending"), show.out());
        Run certs = ok("cert", "list");
        assertTrue(certs.out().contains("wild") && certs.out().contains("*.example.com"), certs.out());
        Run cert = ok("cert", "show", "wild");
        assertTrue(cert.out().contains("RSA"), cert.out());

        Run settings = ok("client-settings", "example.com");
        assertTrue(settings.out().contains("mail.example.com"), settings.out());
        assertTrue(settings.out().contains("https://webmail.example.com/"), settings.out());

        Run events = ok("events", "--host", HOST);
        for (String kind : List.of("host.declared", "binding.created")) {
            assertTrue(events.out().contains(kind), events.out());
        }
    }

    @Test
    @Order(2)
    void aBoundCertificateCannotBeDeletedUntilUnbound() {
        Run refused = cli("cert", "delete", "org");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("unbind it first"), refused.err());
        ok("unbind", HOST, "mail", "example.org");
        ok("cert", "delete", "org");
        assertEquals(1, cli("cert", "show", "org").exit());
    }

    @Test
    @Order(3)
    void aViewerTokenReadsButCannotChange() throws Exception {
        Run created = ok("admin-token", "create", "dash", "--role", "viewer");
        String lastLine = created.out().strip().lines().reduce((x, y) -> y).orElseThrow();
        String token = lastLine.substring(lastLine.indexOf("mca1.")).strip();
        Map<String, String> viewer = new HashMap<>(env);
        viewer.remove("MAILCERT_TOKEN_FILE");
        viewer.put("MAILCERT_TOKEN", token);
        assertEquals(0, cli(viewer, "host", "list").exit());
        Run denied = cli(viewer, "bind", HOST, "mail", "example.com", "mx1");
        assertEquals(1, denied.exit());
        assertTrue(denied.err().contains("operator"), denied.err());
    }

    static List<Arguments> badInputs() {
        return List.of(
                Arguments.of("garbage PEM", new String[] {"cert", "import", "g", "--cert", "@garbage.pem"}),
                Arguments.of("truncated PEM", new String[] {"cert", "import", "t", "--cert", "@truncated.pem"}),
                Arguments.of("key that does not match", new String[] {"cert", "import", "m", "--cert",
                        "@mismatch.chain.pem", "--key", "@mismatch.key.pem"}),
                Arguments.of("expired certificate", new String[] {"cert", "import", "e", "--cert", "@expired.pem"}),
                Arguments.of("PKCS#12 with a wrong password", new String[] {"cert", "import", "p", "--pkcs12", "@org.pfx",
                        "--password-file", "@wrong.pass"}),
                Arguments.of("certificate that does not cover the name",
                        new String[] {"bind", HOST, "mail", "example.net", "wild"}),
                Arguments.of("domain ../../etc", new String[] {"bind", HOST, "mail", "../../etc", "wild"}),
                Arguments.of("domain with a space", new String[] {"bind", HOST, "mail", "a b", "wild"}),
                Arguments.of("domain with a semicolon", new String[] {"bind", HOST, "mail", "x;y", "wild"}),
                Arguments.of("domain with a brace", new String[] {"bind", HOST, "webmail", "x}", "wild"}),
                Arguments.of("domain with a newline", new String[] {"bind", HOST, "mail", "example.com\nssl_key = /etc/x", "wild"}),
                Arguments.of("host name injection", new String[] {"token", "create", "--host", "a/../../b"}),
                Arguments.of("unknown host", new String[] {"bind", "nope.example.net", "server", "mx1"}),
                Arguments.of("unknown certificate", new String[] {"bind", HOST, "server", "nope"}),
                Arguments.of("unknown host shown", new String[] {"host", "show", "nope.example.net"}),
                Arguments.of("duplicate certificate name", new String[] {"cert", "import", "mx1", "--cert", "@mx1.pem"}),
                Arguments.of("a missing file", new String[] {"cert", "import", "x", "--cert", "@does-not-exist.pem"}));
    }

    @ParameterizedTest(name = "{0}: exit 1, one line, nothing changed")
    @MethodSource("badInputs")
    @Order(4)
    void badInputIsRefusedAndChangesNothing(String what, String[] args) throws Exception {
        String[] resolved = args.clone();
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i].startsWith("@")) {
                resolved[i] = f(resolved[i].substring(1));
            }
        }
        String before = state();
        Run r = cli(resolved);
        assertEquals(1, r.exit(), what + ": " + r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), what + ": want one line on stderr, got:\n" + r.err());
        assertTrue(lines.get(0).startsWith("mailcert: "), lines.get(0));
        assertEquals(before, state(), what + " changed the controller's state");
    }

    @Test
    @Order(5)
    void badUsageExitsTwo() {
        assertEquals(2, cli("bind", HOST, "everything", "example.com", "wild").exit());
        assertEquals(2, cli("cert", "import", "x", "--cert", f("mx1.pem"), "--pkcs12", f("org.pfx")).exit());
    }

    @Test
    @Order(6)
    void theLauncherScriptRunsTheCli() throws Exception {
        Path launcher = Path.of("..", "bin", "mailcert").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--output", "json", "host", "list")
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(HOST), out);
    }

    /** The store revision and everything admins can list, as JSON. */
    private static String state() throws Exception {
        return "revision " + controller.revision() + "\n"
                + ok("--output", "json", "host", "list").out()
                + ok("--output", "json", "cert", "list").out()
                + ok("--output", "json", "binding", "list").out()
                + ok("--output", "json", "events", "--limit", "1000").out();
    }
}
