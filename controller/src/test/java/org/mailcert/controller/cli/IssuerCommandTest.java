package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.AcmeStatus;
import org.mailcert.proto.v1.AddIssuerRequest;
import org.mailcert.proto.v1.CertificateDetail;
import org.mailcert.proto.v1.CertificateSource;
import org.mailcert.proto.v1.DnsSolver;
import org.mailcert.proto.v1.ExecHookSolver;
import org.mailcert.proto.v1.Issuer;
import org.mailcert.proto.v1.ListIssuersResponse;
import org.mailcert.proto.v1.RequestCertificateRequest;
import org.mailcert.proto.v1.RequestCertificateResponse;
import org.mailcert.proto.v1.Rfc2136Solver;

/** {@code issuer add/list}, {@code cert request} and the ACME part of {@code cert show}. */
class IssuerCommandTest extends CommandTestBase {
    static final String SECRET = "8c1qKz9mXc4vU0yq3m3gM0mN0bQ4zZ8r1c2d3e4f5g0=";
    static final String TSIG_FILE = "key \"mailcert-update\" {\n\talgorithm hmac-sha512;\n\tsecret \"" + SECRET
            + "\";\n};\n";
    static final String EAB = "aGVsbG8td29ybGQtZWFiLWhtYWMta2V5LTEyMzQ1Njc4";

    static Issuer letsencrypt() {
        return Issuer.newBuilder()
                .setName("letsencrypt")
                .setDirectoryUrl("https://acme-v02.api.letsencrypt.org/directory")
                .setEmail("hostmaster@example.com")
                .setDns(DnsSolver.newBuilder().setRfc2136(Rfc2136Solver.newBuilder().setServer("ns1.example.net:53")
                        .setTsigKeyName("mailcert-update").setTsigAlgorithm("hmac-sha512")))
                .setAccountUrl("https://acme-v02.api.letsencrypt.org/acme/acct/123456")
                .setAccountState("registered")
                .setCreated(Fixtures.at("2026-11-20T09:00:00Z"))
                .addProfiles("classic").addProfiles("shortlived").addProfiles("tlsserver")
                .setAri(true)
                .build();
    }

    static Issuer pebble() {
        return Issuer.newBuilder()
                .setName("pebble")
                .setDirectoryUrl("https://127.0.0.1:14000/dir")
                .setEmail("admin@example.com")
                .setDirectoryCa(true)
                .setEabKid("kid-1")
                .setDns(DnsSolver.newBuilder().setExec(ExecHookSolver.newBuilder().setCommand("/usr/local/bin/dns-hook")))
                .setAccountState("registration failed (network): connection refused")
                .setCreated(Fixtures.at("2026-11-21T09:00:00Z"))
                .build();
    }

    static AcmeStatus acme(boolean failed) {
        AcmeStatus.Builder b = AcmeStatus.newBuilder()
                .setIssuer("letsencrypt")
                .addDomains("*.example.com").addDomains("example.com")
                .setKeyType("ec256")
                .setLastAttempt(Fixtures.at("2026-11-22T10:00:00Z"))
                .setNextAttempt(Fixtures.at("2026-11-22T10:11:00Z"));
        if (failed) {
            return b.setLastResult("failed").setErrorKind("dns").setFailures(2)
                    .setLastError("TXT record _acme-challenge.example.com. not visible at ns2.example.net")
                    .setNextReason("back-off after 2 failures").build();
        }
        return b.setLastResult("issued").setNextAttempt(Fixtures.at("2027-01-20T10:00:00Z"))
                .setNextReason("a third of the lifetime left").build();
    }

    @Test
    void addWithRfc2136ReadsTheTsigKeyFileAndNeverPrintsTheSecret() throws Exception {
        Files.writeString(dir.resolve("tsig.key"), TSIG_FILE);
        Files.writeString(dir.resolve("eab"), EAB + "\n");
        cli.service.reply("AddIssuer", letsencrypt());

        CliHarness.Result r = ok("issuer", "add", "letsencrypt", "--directory",
                "https://acme-v02.api.letsencrypt.org/directory", "--email", "hostmaster@example.com",
                "--eab-kid", "kid-1", "--eab-hmac-file", "eab",
                "--dns", "rfc2136", "--dns-server", "ns1.example.net:53", "--tsig-key-file", "tsig.key");

        AddIssuerRequest sent = cli.service.onlyRequest(AddIssuerRequest.class);
        assertEquals("mailcert-update", sent.getDns().getRfc2136().getTsigKeyName());
        assertEquals("hmac-sha512", sent.getDns().getRfc2136().getTsigAlgorithm());
        assertEquals(SECRET, sent.getDns().getRfc2136().getTsigSecret());
        assertEquals(EAB, sent.getEabHmac());
        assertEquals("kid-1", sent.getEabKid());
        Golden.assertMatches("cli", "issuer-add.txt", r.out());
        assertFalse(r.out().contains(SECRET) || r.out().contains(EAB));
    }

    @Test
    void addWithAHookAndAFailedRegistrationWarns() {
        cli.service.reply("AddIssuer", pebble());
        CliHarness.Result r = cli.run("issuer", "add", "pebble", "--directory", "https://127.0.0.1:14000/dir",
                "--email", "admin@example.com", "--dns", "exec", "--dns-hook", "/usr/local/bin/dns-hook");
        assertEquals(0, r.exit(), r.err());
        assertEquals("/usr/local/bin/dns-hook",
                cli.service.onlyRequest(AddIssuerRequest.class).getDns().getExec().getCommand());
        assertTrue(r.err().startsWith("warning: issuer pebble is stored but not registered"), r.err());
    }

    @Test
    void badUsageExitsTwoAndSendsNothing() throws Exception {
        Files.writeString(dir.resolve("tsig.key"), TSIG_FILE);
        String[][] bad = {
            {"issuer", "add", "x", "--directory", "https://a/d", "--email", "a@b.c", "--dns", "rfc2136"},
            {"issuer", "add", "x", "--directory", "https://a/d", "--email", "a@b.c", "--dns", "exec"},
            {"issuer", "add", "x", "--directory", "https://a/d", "--email", "a@b.c", "--dns", "route53"},
            {"issuer", "add", "x", "--directory", "https://a/d", "--email", "a@b.c", "--dns", "exec",
                "--dns-hook", "h", "--eab-kid", "k"},
        };
        for (String[] args : bad) {
            assertEquals(2, cli.run(args).exit(), String.join(" ", args));
        }
        assertTrue(cli.service.calls().isEmpty());
    }

    @Test
    void aFileThatIsNotATsigKeyIsAnErrorThatDoesNotQuoteIt() throws Exception {
        Files.writeString(dir.resolve("tsig.key"), "secret-but-not-a-key-file\n");
        CliHarness.Result r = cli.run("issuer", "add", "x", "--directory", "https://a/d", "--email", "a@b.c",
                "--dns", "rfc2136", "--dns-server", "ns1:53", "--tsig-key-file", "tsig.key");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("is not a TSIG key"), r.err());
        assertFalse(r.err().contains("secret-but-not"), r.err());
    }

    @Test
    void listShowsAccountStateTableAndJson() {
        ListIssuersResponse response = ListIssuersResponse.newBuilder().addIssuers(letsencrypt()).addIssuers(pebble())
                .build();
        cli.service.reply("ListIssuers", response);
        Golden.assertMatches("cli", "issuer-list.txt", ok("issuer", "list").out());
        String json = ok("issuer", "list", "--output", "json").out();
        Golden.assertMatches("cli", "issuer-list.json", json);
        assertJsonIs(response, json);
    }

    @Test
    void requestSendsDomainsAndPrintsTheVersionAndSchedule() {
        RequestCertificateResponse response = RequestCertificateResponse.newBuilder()
                .setCertificate(Fixtures.wildcard(1).toBuilder().setSource(CertificateSource.CERTIFICATE_SOURCE_ACME))
                .setAcme(acme(false))
                .build();
        cli.service.reply("RequestCertificate", response);

        CliHarness.Result r = ok("cert", "request", "wildcard-example-com", "--domains", "*.example.com,example.com",
                "--key-type", "ec384", "--profile", "tlsserver");

        RequestCertificateRequest sent = cli.service.onlyRequest(RequestCertificateRequest.class);
        assertEquals(java.util.List.of("*.example.com", "example.com"), sent.getDomainsList());
        assertEquals("", sent.getIssuer());
        assertEquals("ec384", sent.getKeyType());
        assertEquals("tlsserver", sent.getProfile());
        Golden.assertMatches("cli", "cert-request.txt", r.out());
        String json = ok("cert", "request", "wildcard-example-com", "--domains", "example.com", "--output", "json").out();
        Golden.assertMatches("cli", "cert-request.json", json);
        assertJsonIs(response, json);
    }

    @Test
    void aFailedRequestExitsOneWithTheControllersMessage() {
        cli.service.fail("RequestCertificate", Status.FAILED_PRECONDITION.withDescription(
                "ordering wild failed (dns): TXT record not visible; the controller retries at 2026-11-22T10:11:00Z"));
        CliHarness.Result r = cli.run("cert", "request", "wild", "--domains", "example.com", "--issuer", "le");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("failed (dns)"), r.err());
    }

    @Test
    void showIncludesTheAcmeStatus() {
        CertificateDetail detail = CertificateDetail.newBuilder()
                .setName("wildcard-example-com")
                .addVersions(Fixtures.wildcard(1).toBuilder().setSource(CertificateSource.CERTIFICATE_SOURCE_ACME))
                .setAcme(acme(true))
                .build();
        cli.service.reply("GetCertificate", detail);
        CliHarness.Result r = ok("cert", "show", "wildcard-example-com");
        Golden.assertMatches("cli", "cert-show-acme.txt", r.out());
        assertTrue(r.out().contains("back-off after 2 failures"));
    }

    @Test
    void tsigKeyFilesAsTsigKeygenWritesThemParse() throws Exception {
        IssuerCommand.TsigKey k = IssuerCommand.tsigKey(TSIG_FILE, Path.of("f"));
        assertEquals(new IssuerCommand.TsigKey("mailcert-update", "hmac-sha512", SECRET), k);
        IssuerCommand.TsigKey plain = IssuerCommand.tsigKey("key mk { secret \"QUJD\"; };", Path.of("f"));
        assertEquals("hmac-sha256", plain.algorithm());
        assertFalse(k.toString().contains(SECRET));
    }
}
