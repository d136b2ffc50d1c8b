package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.AcmeStatus;
import org.mailcert.proto.v1.CertificateSource;
import org.mailcert.proto.v1.RequestCertificateResponse;
import org.mailcert.proto.v1.RequestHostBundleRequest;

/** {@code cert bundle}: the request sent, table and JSON output, warnings and exit codes. */
class BundleCommandTest extends CommandTestBase {
    static RequestCertificateResponse response() {
        return RequestCertificateResponse.newBuilder()
                .setCertificate(Fixtures.wildcard(1).toBuilder().setName("bundle-mx1.example.net")
                        .setSubject("CN=mx1.example.net").clearDnsNames()
                        .addDnsNames("mx1.example.net").addDnsNames("mail.a.example").addDnsNames("mail.b.example")
                        .setSource(CertificateSource.CERTIFICATE_SOURCE_ACME))
                .setAcme(AcmeStatus.newBuilder()
                        .setIssuer("letsencrypt")
                        .addDomains("mx1.example.net").addDomains("mail.a.example").addDomains("mail.b.example")
                        .setKeyType("ec256")
                        .setLastAttempt(Fixtures.at("2026-11-22T10:00:00Z"))
                        .setLastResult("issued")
                        .setNextAttempt(Fixtures.at("2027-01-20T10:00:00Z"))
                        .setNextReason("a third of the lifetime left")
                        .setBundleHost("mx1.example.net"))
                .addUncoveredDomains("c.example")
                .addWarnings("1 domain is over the limit of 3 names and not covered: c.example; a host without SNI"
                        + " serves one certificate only, so their clients see a certificate without their name")
                .build();
    }

    @Test
    void bundleSendsTheRequestAndPrintsTheCertificateScheduleAndUncoveredDomains() {
        RequestCertificateResponse response = response();
        cli.service.reply("RequestHostBundle", response);

        CliHarness.Result r = cli.run("cert", "bundle", "mx1.example.net", "--max-names", "3", "--issuer", "le",
                "--replace");

        assertEquals(0, r.exit(), r.err());
        RequestHostBundleRequest sent = cli.service.onlyRequest(RequestHostBundleRequest.class);
        assertEquals("mx1.example.net", sent.getHost());
        assertEquals(3, sent.getMaxNames());
        assertEquals("le", sent.getIssuer());
        assertEquals("", sent.getName());
        assertTrue(sent.getReplace());
        assertTrue(r.err().startsWith("warning: 1 domain is over the limit"), r.err());
        Golden.assertMatches("cli", "cert-bundle.txt", r.out());
    }

    @Test
    void bundleJsonIsTheResponse() {
        RequestCertificateResponse response = response();
        cli.service.reply("RequestHostBundle", response);

        CliHarness.Result r = cli.run("cert", "bundle", "mx1.example.net", "--output", "json");

        assertEquals(0, r.exit(), r.err());
        assertEquals(100, cli.service.onlyRequest(RequestHostBundleRequest.class).getMaxNames(), "the default");
        assertFalse(cli.service.onlyRequest(RequestHostBundleRequest.class).getReplace());
        Golden.assertMatches("cli", "cert-bundle.json", r.out());
        assertJsonIs(response, r.out());
    }

    @Test
    void anUnknownHostExitsOne() {
        cli.service.fail("RequestHostBundle", Status.NOT_FOUND.withDescription(
                "no host named nope.example.net; see `mailcert host list`"));
        CliHarness.Result r = cli.run("cert", "bundle", "nope.example.net");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no host named nope.example.net"), r.err());
    }

    @Test
    void badUsageExitsTwoWithoutCallingTheController() {
        assertEquals(2, cli.run("cert", "bundle").exit(), "HOST is required");
        assertEquals(2, cli.run("cert", "bundle", "mx1.example.net", "--max-names", "0").exit());
        assertEquals(2, cli.run("cert", "bundle", "mx1.example.net", "--max-names", "101").exit());
        assertEquals(2, cli.run("cert", "bundle", "mx1.example.net", "--max-names", "x").exit());
        assertEquals(0, cli.service.calls().size());
    }
}
