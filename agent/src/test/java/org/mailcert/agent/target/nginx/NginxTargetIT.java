package org.mailcert.agent.target.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftPolicy;
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.exec.CommonsExecRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.testing.NginxInstance;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.TestPki;

/**
 * The nginx target against Debian's nginx on a loopback port, proxying to a small HTTP server that
 * stands for the webmail application: what is served is checked by TLS handshakes with SNI, and a
 * request through nginx reaches the application.
 */
class NginxTargetIT {
    private static final TestPki.Leaf A1 = TestBindings.leaf("webmail.a.example");
    private static final TestPki.Leaf A2 = TestBindings.leaf("webmail.a.example");
    private static final TestPki.Leaf B1 = TestBindings.leaf("webmail.b.example");
    private static final TestPki.Leaf OTHER = TestBindings.leaf("webmail.a.example");

    @TempDir
    Path tmp;
    private NginxInstance nginx;
    private HttpServer webmail;
    private NginxTarget target;
    private final SocketTlsProbe probe = new SocketTlsProbe(Duration.ofSeconds(3), Duration.ofSeconds(10));

    @BeforeEach
    void start() throws Exception {
        nginx = NginxInstance.start(tmp.resolve("nginx"));
        webmail = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webmail.createContext("/", exchange -> {
            byte[] body = ("webmail for " + exchange.getRequestHeaders().getFirst("Host"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        webmail.start();
        target = new NginxTarget(new NginxSettings(NginxInstance.NGINX, nginx.configFile(),
                nginx.confD().resolve("mailcert-webmail.conf"), certDir(), List.of("127.0.0.1:" + nginx.port()),
                new NginxSettings.Proxy(URI.create("http://127.0.0.1:" + webmail.getAddress().getPort())),
                Duration.ofSeconds(10)), new CommonsExecRunner(), probe);
    }

    @AfterEach
    void stop() throws Exception {
        if (webmail != null) {
            webmail.stop(0);
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private Path certDir() {
        return tmp.resolve("nginx/conf/mailcert");
    }

    private Path managed() {
        return nginx.confD().resolve("mailcert-webmail.conf");
    }

    private static Binding webmail(String domain, TestPki.Leaf leaf) {
        return TestBindings.binding("webmail/" + domain, "webmail." + domain, leaf);
    }

    private String served(String address, String name) {
        try {
            return probe.probe(new Endpoint("https", address, nginx.port(), Protocol.IMPLICIT), Optional.of(name))
                    .leafSha256();
        } catch (ProbeException e) {
            return "no handshake: " + e.getMessage();
        }
    }

    /**
     * Asserts that {@code name} is served {@code leaf} at {@code address}, with one handshake: once an apply
     * returns, nginx's workers from before its reload no longer take connections (the target waited for
     * them), so no retry is needed.
     */
    private void assertServed(TestPki.Leaf leaf, String address, String name) {
        assertEquals(TestBindings.sha(leaf), served(address, name), name + " at " + address);
    }

    private void assertServed(TestPki.Leaf leaf, String name) {
        assertServed(leaf, "127.0.0.1", name);
    }

    private Target.Change applied(List<Binding> desired) throws TargetException {
        Target.Change change = target.apply(desired);
        change.commit();
        return change;
    }

    @Test
    void twoWebmailNamesServeTheirOwnCertificatesAndASwitchChangesOnlyOne() throws Exception {
        applied(List.of(webmail("a.example", A1), webmail("b.example", B1)));
        assertServed(A1, "webmail.a.example");
        assertServed(B1, "webmail.b.example");
        assertEquals("webmail for webmail.a.example", get("webmail.a.example"), "nginx proxies to the application");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(certDir(), "*.pem")) {
            for (Path f : files) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }

        Target.Change change = applied(List.of(webmail("a.example", A2), webmail("b.example", B1)));
        assertEquals(Map.of("webmail/a.example", Outcome.INSTALLED, "webmail/b.example", Outcome.UNCHANGED),
                change.report().bindings());
        assertServed(A2, "webmail.a.example");
        assertServed(B1, "webmail.b.example");

        Target.Change same = applied(List.of(webmail("a.example", A2), webmail("b.example", B1)));
        assertFalse(same.report().changed(), "nothing to do the second time");

        Target.Change unbound = applied(List.of(webmail("a.example", A2)));
        assertEquals(List.of("webmail.b.example"), unbound.report().removed());
        assertFalse(Files.readString(managed()).contains("webmail.b.example"));
        assertEquals(1, countPem(), "b's key file is removed");
    }

    @Test
    void withAnIpv6ListenBesideEachNameIsServedOnBothAddresses() throws Exception {
        target = new NginxTarget(new NginxSettings(NginxInstance.NGINX, nginx.configFile(), managed(), certDir(),
                List.of("127.0.0.1:" + nginx.port(), "[::1]:" + nginx.port()),
                new NginxSettings.Proxy(URI.create("http://127.0.0.1:" + webmail.getAddress().getPort())),
                Duration.ofSeconds(10)), new CommonsExecRunner(), probe);

        applied(List.of(webmail("a.example", A1), webmail("b.example", B1)));

        for (String address : List.of("127.0.0.1", "::1")) {
            assertServed(A1, address, "webmail.a.example");
            assertServed(B1, address, "webmail.b.example");
        }
        assertTrue(Files.readString(managed()).contains("    listen 127.0.0.1:" + nginx.port() + " ssl;\n    listen [::1]:"
                + nginx.port() + " ssl;\n    server_name webmail.a.example;"), Files.readString(managed()));
        Target.Change change = applied(List.of(webmail("a.example", A2), webmail("b.example", B1)));
        assertEquals(Outcome.INSTALLED, change.report().bindings().get("webmail/a.example"));
        assertServed(A2, "::1", "webmail.a.example");
    }

    @Test
    void driftChecksSeeTheServedNamesTheKeyFilesAndTheManagedFile() throws Exception {
        List<Binding> desired = List.of(webmail("a.example", A1), webmail("b.example", B1));
        applied(desired);
        DriftCycle cycle = new DriftCycle(new ServedObserver(probe, 4, Duration.ofSeconds(10)), 64, DriftPolicy.DEFAULT,
                Optional.empty(), java.time.Clock.systemUTC());
        assertEquals(List.of(), cycle.cycle(desired, List.of(target), java.util.Set.of()).items(),
                "in sync: both names served by handshake, no probe without SNI");

        Files.delete(certDir().resolve(TestBindings.sha(B1).substring(0, 32) + ".pem"));
        Files.writeString(managed(), Files.readString(managed()).replace("proxy_pass", "# proxy_pass"));
        List<String> reasons = cycle.cycle(desired, List.of(target), java.util.Set.of()).items().stream()
                .map(i -> i.reason().label() + " " + i.subject()).sorted().toList();
        assertTrue(reasons.contains("FileMissing webmail/b.example"), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("ConfigEdited")), reasons.toString());

        applied(desired);
        assertEquals(List.of(), cycle.cycle(desired, List.of(target), java.util.Set.of()).items(), "repaired by an apply");
    }

    @Test
    void aCertificateWhoseKeyDoesNotMatchIsRolledBackAndTheOldOneStaysServed() throws Exception {
        applied(List.of(webmail("a.example", A1), webmail("b.example", B1)));
        String config = Files.readString(managed());
        Binding good = webmail("a.example", A2);
        Binding broken = new Binding(good.id(), Scope.WEBMAIL, good.domain(), good.servedName(), good.certificate(), 2,
                good.leafSha256(), good.chain(), OTHER.key());

        TargetException e = assertThrows(TargetException.class,
                () -> target.apply(List.of(broken, webmail("b.example", B1))));

        assertTrue(e.bindingErrors().get("webmail/a.example").contains("does not match"), e.bindingErrors().toString());
        assertTrue(e.restored());
        assertEquals(config, Files.readString(managed()));
        assertEquals(2, countPem(), "only the previous key files");
        assertServed(A1, "webmail.a.example");
        assertServed(B1, "webmail.b.example");
    }

    @Test
    void aNameTheAdminsConfigurationServesOnThePortIsRefusedNamingItsFile() throws Exception {
        Path admin = nginx.confD().resolve("admin-webmail.conf");
        Path pem = tmp.resolve("admin.pem");
        Files.writeString(pem, B1.keyPem() + B1.chainPem());
        Files.writeString(admin, "server {\n  listen 127.0.0.1:" + nginx.port() + " ssl;  # the admin's own\n"
                + "  server_name webmail.c.example;\n  ssl_certificate " + pem + ";\n  ssl_certificate_key " + pem
                + ";\n}\nserver { listen 127.0.0.1:" + NginxInstance.freePort()
                + "; server_name webmail.a.example; return 301 https://$host$request_uri; }\n");

        TargetException e = assertThrows(TargetException.class,
                () -> target.apply(List.of(webmail("a.example", A1), webmail("c.example", A1))));

        String why = e.bindingErrors().get("webmail/c.example");
        assertTrue(why != null && why.contains(admin.toString()), e.bindingErrors().toString());
        assertFalse(e.bindingErrors().containsKey("webmail/a.example"), "a redirect on another port is no conflict");
        assertFalse(Files.exists(managed()), "what was written is removed again");
        assertFalse(Files.exists(certDir()), "no key file is left behind");
    }

    @Test
    void hostileServedNamesNeverReachTheConfiguration() {
        for (String hostile : List.of("webmail.a.example; include /etc/shadow", "webmail.a.example\nlisten 80",
                "webmail.a.example}", "*.a.example", "webmail.$host", "../../etc")) {
            Binding b = TestBindings.binding("webmail/x", hostile, A1);
            TargetException e = assertThrows(TargetException.class, () -> target.apply(List.of(b)), hostile);
            assertTrue(e.bindingErrors().get("webmail/x").contains("cannot be an nginx server_name"), hostile);
            assertFalse(Files.exists(managed()), hostile);
        }
    }

    private long countPem() throws Exception {
        try (var files = Files.list(certDir())) {
            return files.filter(p -> p.toString().endsWith(".pem")).count();
        }
    }

    /** GET / over HTTPS with SNI {@code name}, trusting anything (the handshake is checked elsewhere). */
    private String get(String name) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", nginx.port())) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(name)));
            s.setSSLParameters(p);
            s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + name + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }
}
