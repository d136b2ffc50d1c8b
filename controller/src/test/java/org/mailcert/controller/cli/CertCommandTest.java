package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.CertificateDetail;
import org.mailcert.proto.v1.CertificateSummary;
import org.mailcert.proto.v1.DeleteCertificateRequest;
import org.mailcert.proto.v1.DeleteCertificateResponse;
import org.mailcert.proto.v1.GetCertificateRequest;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.ImportCertificateResponse;
import org.mailcert.proto.v1.ListCertificatesResponse;

class CertCommandTest extends CommandTestBase {
    static final String CHAIN = "-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n"
            + "-----BEGIN CERTIFICATE-----\nMIIBintermediate\n-----END CERTIFICATE-----\n";
    static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAsecretkeymaterial\n-----END PRIVATE KEY-----\n";
    static final byte[] PKCS12 = {0x30, (byte) 0x82, 0x0a, 0x01, 0x02, 0x01, 0x03, (byte) 0xff, 0x00};

    static final ImportCertificateResponse IMPORTED = ImportCertificateResponse.newBuilder()
            .setCertificate(Fixtures.wildcard(2))
            .addWarnings("the chain has no intermediate; clients may not build a path to a root")
            .addWarnings("expires in 33 days")
            .build();

    Path certFile;
    Path keyFile;
    Path bundle;

    @BeforeEach
    void files() throws Exception {
        certFile = Files.writeString(dir.resolve("fullchain.pem"), CHAIN);
        keyFile = Files.writeString(dir.resolve("privkey.pem"), KEY);
        bundle = Files.write(dir.resolve("mail.pfx"), PKCS12);
        cli.service.reply("ImportCertificate", IMPORTED);
    }

    @Test
    void importPemSendsChainAndKeyAsRead() {
        ok("cert", "import", "wildcard-example-com", "--cert", certFile.toString(), "--key", keyFile.toString());
        ImportCertificateRequest sent = cli.service.onlyRequest(ImportCertificateRequest.class);
        assertEquals("wildcard-example-com", sent.getName());
        assertArrayEquals(CHAIN.getBytes(StandardCharsets.UTF_8), sent.getChainPem().toByteArray());
        assertArrayEquals(KEY.getBytes(StandardCharsets.UTF_8), sent.getKeyPem().toByteArray());
        assertTrue(sent.getPkcs12().isEmpty());
        assertFalse(sent.getNewVersion());
    }

    @Test
    void importPemWithTheKeyInTheCertFileSendsNoSeparateKey() throws Exception {
        Path combined = Files.writeString(dir.resolve("combined.pem"), CHAIN + KEY);
        ok("cert", "import", "wildcard-example-com", "--cert", "combined.pem", "--new-version");
        ImportCertificateRequest sent = cli.service.onlyRequest(ImportCertificateRequest.class);
        assertArrayEquals(Files.readAllBytes(combined), sent.getChainPem().toByteArray());
        assertTrue(sent.getKeyPem().isEmpty());
        assertTrue(sent.getNewVersion());
    }

    @Test
    void importPrintsFactsAndWarningsButNeverTheKey() {
        CliHarness.Result r = ok("cert", "import", "wildcard-example-com", "--cert", certFile.toString(),
                "--key", keyFile.toString());
        Golden.assertMatches("cli", "cert-import.txt", r.out());
        assertEquals("warning: the chain has no intermediate; clients may not build a path to a root\n"
                + "warning: expires in 33 days\n", r.err());
        assertFalse((r.out() + r.err()).contains("secretkeymaterial"));
        assertFalse((r.out() + r.err()).contains("MIIBleaf"), "input files are not echoed");
    }

    @Test
    void importJsonStillWarnsOnStderr() {
        CliHarness.Result r = ok("cert", "import", "wildcard-example-com", "--cert", certFile.toString(), "-o", "json");
        Golden.assertMatches("cli", "cert-import.json", r.out());
        assertJsonIs(IMPORTED, r.out());
        assertEquals(2, r.errLines().size());
    }

    @Test
    void importPkcs12WithPasswordFileSendsBundleAndFirstLine() throws Exception {
        Files.writeString(dir.resolve("pw.txt"), "s3cret pass\r\nsecond line\n");
        ok("cert", "import", "mx1-self", "--pkcs12", bundle.toString(), "--password-file", "pw.txt");
        ImportCertificateRequest sent = cli.service.onlyRequest(ImportCertificateRequest.class);
        assertArrayEquals(PKCS12, sent.getPkcs12().toByteArray());
        assertEquals("s3cret pass", sent.getPassword());
        assertTrue(sent.getChainPem().isEmpty());
        assertTrue(sent.getKeyPem().isEmpty());
    }

    @Test
    void pkcs12PasswordFromEnvironmentWhenNoFile() {
        cli.env.put(CertCommand.ENV_PKCS12_PASSWORD, "from-env");
        ok("cert", "import", "mx1-self", "--pkcs12", bundle.toString());
        assertEquals("from-env", cli.service.onlyRequest(ImportCertificateRequest.class).getPassword());
    }

    @Test
    void pkcs12PasswordIsEmptyOtherwise() {
        ok("cert", "import", "mx1-self", "--pkcs12", bundle.toString());
        assertEquals("", cli.service.onlyRequest(ImportCertificateRequest.class).getPassword());
    }

    @Test
    void certAndPkcs12TogetherIsAUsageError() {
        CliHarness.Result r = cli.run("cert", "import", "x", "--cert", certFile.toString(), "--pkcs12", bundle.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
        assertTrue(cli.opened.isEmpty());
    }

    @Test
    void neitherCertNorPkcs12IsAUsageError() {
        CliHarness.Result r = cli.run("cert", "import", "x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required argument"), r.err());
    }

    @Test
    void keyWithPkcs12IsAUsageError() {
        assertEquals(2, cli.run("cert", "import", "x", "--pkcs12", bundle.toString(), "--key", keyFile.toString()).exit());
    }

    @Test
    void keyAloneIsAUsageError() {
        assertEquals(2, cli.run("cert", "import", "x", "--key", keyFile.toString()).exit());
    }

    @Test
    void missingCertFileIsNamedAndNothingIsSent() {
        CliHarness.Result r = cli.run("cert", "import", "x", "--cert", "certs/missing.pem");
        assertEquals(1, r.exit());
        assertEquals("mailcert: cannot read --cert certs/missing.pem: no such file; check the path\n", r.err());
        assertTrue(cli.opened.isEmpty());
    }

    @Test
    void missingKeyFileIsNamed() {
        CliHarness.Result r = cli.run("cert", "import", "x", "--cert", certFile.toString(), "--key", "nokey.pem");
        assertEquals(1, r.exit());
        assertEquals("mailcert: cannot read --key nokey.pem: no such file; check the path\n", r.err());
    }

    @Test
    void missingPasswordFileIsNamed() {
        CliHarness.Result r = cli.run("cert", "import", "x", "--pkcs12", bundle.toString(), "--password-file", "pw-missing");
        assertEquals(1, r.exit());
        assertEquals("mailcert: cannot read --password-file pw-missing: no such file; check the path\n", r.err());
    }

    @Test
    void directoryInsteadOfFileIsNamed() {
        CliHarness.Result r = cli.run("cert", "import", "x", "--cert", dir.toString());
        assertEquals(1, r.exit());
        assertEquals("mailcert: cannot read --cert " + dir + ": it is a directory; give a file\n", r.err());
    }

    @Test
    void refusedImportShowsTheServerReason() {
        cli.service.fail("ImportCertificate",
                Status.INVALID_ARGUMENT.withDescription("the private key does not match the leaf certificate"));
        CliHarness.Result r = cli.run("cert", "import", "x", "--cert", certFile.toString());
        assertEquals(1, r.exit());
        assertEquals("mailcert: the private key does not match the leaf certificate\n", r.err());
    }

    static final ListCertificatesResponse LIST = ListCertificatesResponse.newBuilder()
            .addCertificates(CertificateSummary.newBuilder().setLatest(Fixtures.wildcard(2)).setVersions(2)
                    .addUsedBy(Fixtures.mailBinding()))
            .addCertificates(CertificateSummary.newBuilder().setLatest(Fixtures.selfSigned()).setVersions(1)
                    .addUsedBy(Fixtures.serverBinding()))
            .build();

    @Test
    void listTable() {
        cli.service.reply("ListCertificates", LIST);
        Golden.assertMatches("cli", "cert-list.txt", ok("cert", "list").out());
    }

    @Test
    void listJson() {
        cli.service.reply("ListCertificates", LIST);
        String out = ok("cert", "list", "-o", "json").out();
        Golden.assertMatches("cli", "cert-list.json", out);
        assertJsonIs(LIST, out);
    }

    static final CertificateDetail DETAIL = CertificateDetail.newBuilder()
            .setName("wildcard-example-com")
            .addVersions(Fixtures.wildcard(1))
            .addVersions(Fixtures.wildcard(2))
            .addUsedBy(Fixtures.mailBinding())
            .build();

    @Test
    void showAllVersionsNewestFirstAndWhereUsed() {
        cli.service.reply("GetCertificate", DETAIL);
        CliHarness.Result r = ok("cert", "show", "wildcard-example-com");
        assertEquals("wildcard-example-com", cli.service.onlyRequest(GetCertificateRequest.class).getName());
        Golden.assertMatches("cli", "cert-show.txt", r.out());
        assertFalse(r.out().contains("BEGIN CERTIFICATE"), "the table leaves the PEM to --output json");
    }

    @Test
    void showUntrustedUnboundCertificate() {
        cli.service.reply("GetCertificate",
                CertificateDetail.newBuilder().setName("mx1-self").addVersions(Fixtures.selfSigned()).build());
        Golden.assertMatches("cli", "cert-show-self-signed.txt", ok("cert", "show", "mx1-self").out());
    }

    @Test
    void showJson() {
        cli.service.reply("GetCertificate", DETAIL);
        String out = ok("cert", "show", "wildcard-example-com", "--output=json").out();
        Golden.assertMatches("cli", "cert-show.json", out);
        assertJsonIs(DETAIL, out);
    }

    @Test
    void deleteSendsTheName() {
        cli.service.reply("DeleteCertificate", DeleteCertificateResponse.newBuilder().setVersionsDeleted(2).build());
        CliHarness.Result r = ok("cert", "delete", "wildcard-example-com");
        assertEquals(DeleteCertificateRequest.newBuilder().setName("wildcard-example-com").build(),
                cli.service.onlyRequest(DeleteCertificateRequest.class));
        assertEquals("Deleted certificate wildcard-example-com (2 versions).\n", r.out());
    }

    @Test
    void deleteJsonIncludesDefaults() {
        cli.service.reply("DeleteCertificate", DeleteCertificateResponse.getDefaultInstance());
        assertEquals("{\n  \"versions_deleted\": 0\n}\n", ok("cert", "delete", "x", "-o", "json").out());
    }

    @Test
    void deleteWhileBoundIsRefusedByTheServer() {
        cli.service.fail("DeleteCertificate", Status.FAILED_PRECONDITION
                .withDescription("certificate wildcard-example-com is bound on mx1.example.net (mail example.com); unbind it first"));
        CliHarness.Result r = cli.run("cert", "delete", "wildcard-example-com");
        assertEquals(1, r.exit());
        assertEquals("mailcert: certificate wildcard-example-com is bound on mx1.example.net (mail example.com);"
                + " unbind it first\n", r.err());
    }
}
