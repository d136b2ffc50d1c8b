package org.mailcert.controller.certs;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.ControllerException.Kind;
import org.mailcert.controller.model.CertificateSource;
import org.mailcert.controller.testing.Controllers;

class CertificateServiceTest {
    private static final char[] PASSWORD = "s3cret".toCharArray();

    @TempDir
    Path dir;
    Controllers c;
    TestPki.Leaf leaf;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        leaf = c.pki.leaf("mail.example.com", "*.example.com").issue();
    }

    @AfterEach
    void tearDown() {
        c.close();
    }

    private ImportResult importPem(String name, String chain, String key, char[] password) throws ControllerException {
        return c.certificates.importCertificate(Controllers.OPERATOR, new ImportRequest(name, chain.getBytes(US_ASCII),
                key == null ? new byte[0] : key.getBytes(US_ASCII), new byte[0], password, false));
    }

    @Test
    void aChainWithTheKeyInTheSameFileIsImportedWithItsFacts() throws Exception {
        ImportResult r = importPem("wild", leaf.combinedPem(), null, null);
        Assessment a = r.certificate();
        assertEquals(1, a.version().version());
        assertEquals(List.of("mail.example.com", "*.example.com"), a.facts().dnsNames());
        assertTrue(a.trust().trusted(), a.trust().problem());
        assertEquals(List.of(), r.warnings());
        assertEquals(2, a.version().chain().size(), "leaf and intermediate");
        assertArrayEquals(leaf.key().getEncoded(), c.store.privateKey("wild", 1).getEncoded());
        assertEquals(CertificateSource.IMPORTED_PEM, c.store.certificate("wild").orElseThrow().source());
    }

    @ParameterizedTest(name = "key as {0}")
    @MethodSource("keyFormats")
    void keysAreReadInEveryFormat(String format, Function<TestPki.Leaf, String> key, boolean rsa) throws Exception {
        TestPki.LeafBuilder b = c.pki.leaf("mail.example.com");
        TestPki.Leaf l = (rsa ? b.rsa() : b.ec()).issue();
        importPem("k", l.chainPem(), key.apply(l), PASSWORD);
        java.security.PrivateKey stored = c.store.privateKey("k", 1);
        if (stored instanceof java.security.interfaces.ECPrivateKey ec) {
            assertEquals(((java.security.interfaces.ECPrivateKey) l.key()).getS(), ec.getS());
        } else {
            assertEquals(((java.security.interfaces.RSAPrivateKey) l.key()).getPrivateExponent(),
                    ((java.security.interfaces.RSAPrivateKey) stored).getPrivateExponent());
        }
    }

    static Stream<Arguments> keyFormats() {
        return Stream.of(
                Arguments.of("PKCS#8", (Function<TestPki.Leaf, String>) TestPki.Leaf::keyPem, false),
                Arguments.of("encrypted PKCS#8", (Function<TestPki.Leaf, String>) l -> l.encryptedKeyPem(PASSWORD), false),
                Arguments.of("PKCS#1 (RSA)", (Function<TestPki.Leaf, String>) TestPki.Leaf::pkcs1KeyPem, true),
                Arguments.of("SEC1 (EC)", (Function<TestPki.Leaf, String>) TestPki.Leaf::sec1KeyPem, false));
    }

    @Test
    void aChainOutOfOrderIsPutInOrder() throws Exception {
        Assessment a = importPem("rev", leaf.chainPemReversed(), leaf.keyPem(), null).certificate();
        assertEquals(leaf.certificate(), a.version().leaf());
    }

    @Test
    void aPkcs12BundleIsImported() throws Exception {
        ImportResult r = c.certificates.importCertificate(Controllers.OPERATOR,
                new ImportRequest("pfx", new byte[0], new byte[0], leaf.pkcs12(PASSWORD), PASSWORD, false));
        assertEquals(leaf.certificate(), r.certificate().version().leaf());
        assertEquals(CertificateSource.IMPORTED_PKCS12, c.store.certificate("pfx").orElseThrow().source());
    }

    @Test
    void aSelfSignedCertificateIsImportedWithAWarning() throws Exception {
        ImportResult r = importPem("self", TestPki.selfSigned(c.clock, "mail.example.com").issue().combinedPem(), null, null);
        assertTrue(r.warnings().get(0).contains("self-signed"), r.warnings().toString());
    }

    @Test
    void aNewVersionIsAddedOnlyWhenAsked() throws Exception {
        importPem("wild", leaf.combinedPem(), null, null);
        String before = c.snapshot();
        var dup = assertThrows(ControllerException.class, () -> importPem("wild", leaf.combinedPem(), null, null));
        assertEquals(Kind.ALREADY_EXISTS, dup.kind());
        assertTrue(dup.getMessage().contains("--new-version"), dup.getMessage());
        assertEquals(before, c.snapshot());

        TestPki.Leaf next = c.pki.leaf("mail.example.com", "*.example.com").issue();
        ImportResult v2 = c.certificates.importCertificate(Controllers.OPERATOR, new ImportRequest("wild",
                next.combinedPem().getBytes(US_ASCII), new byte[0], new byte[0], null, true));
        assertEquals(2, v2.certificate().version().version());
        assertEquals(next.certificate(), c.store.certificate("wild").orElseThrow().leaf());
        assertEquals(2, c.certificates.show("wild").versions().size());
    }

    /** Each bad input: the error kind, a fragment of its one-line message, and the request. */
    static Stream<Arguments> badInputs() {
        TestPki pki = TestPki.rootCa("Bad Root");
        TestPki.Leaf good = pki.leaf("mail.example.com").issue();
        TestPki.Leaf other = pki.leaf("mail.example.com").issue();
        String truncated = good.chainPem().substring(0, good.chainPem().length() / 2);
        return Stream.of(
                bad("garbage PEM", "MALFORMED|not PEM|no certificate|PEM", "hello world, not a certificate", null, null),
                bad("truncated PEM", "truncated", truncated, good.keyPem(), null),
                bad("base64 garbage inside a block", "", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                        good.keyPem(), null),
                bad("key of another certificate", "does not match", good.chainPem(), other.keyPem(), null),
                bad("no key at all", "no private key", good.chainPem(), null, null),
                bad("two keys", "", good.combinedPem(), good.keyPem(), null),
                bad("encrypted key, wrong password", "password", good.chainPem(), good.encryptedKeyPem(PASSWORD),
                        "wrong".toCharArray()),
                bad("expired certificate", "expired", pki.leaf("mail.example.com").expired().issue().combinedPem(), null, null),
                bad("bad name", "invalid certificate name", good.combinedPem(), null, null));
    }

    private static Arguments bad(String what, String fragment, String chain, String key, char[] password) {
        return Arguments.of(what, fragment, chain, key, password);
    }

    @ParameterizedTest(name = "{0} is refused and nothing is stored")
    @MethodSource("badInputs")
    void badInputIsRefusedAndNothingIsStored(String what, String fragment, String chain, String key, char[] password)
            throws Exception {
        importPem("existing", leaf.combinedPem(), null, null);
        String before = c.snapshot();
        String name = what.equals("bad name") ? "../evil" : "new";
        var e = assertThrows(ControllerException.class, () -> importPem(name, chain, key, password));
        assertEquals(Kind.INVALID, e.kind(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(e.getMessage().contains("PRIVATE KEY"), "no key material in: " + e.getMessage());
        if (!fragment.isEmpty()) {
            assertTrue(Arrays.stream(fragment.split("\\|")).anyMatch(f -> e.getMessage().toLowerCase().contains(f.toLowerCase())),
                    what + ": " + e.getMessage());
        }
        assertEquals(before, c.snapshot());
    }

    @Test
    void aPkcs12WithAWrongPasswordIsRefusedAndNothingIsStored() {
        String before = c.snapshot();
        var e = assertThrows(ControllerException.class, () -> c.certificates.importCertificate(Controllers.OPERATOR,
                new ImportRequest("pfx", new byte[0], new byte[0], leaf.pkcs12(PASSWORD), "nope".toCharArray(), false)));
        assertEquals(Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("password"), e.getMessage());
        assertEquals(before, c.snapshot());
    }

    @Test
    void unknownCertificatesAreNotFound() {
        assertEquals(Kind.NOT_FOUND, assertThrows(ControllerException.class, () -> c.certificates.show("nope")).kind());
        assertEquals(Kind.NOT_FOUND, assertThrows(ControllerException.class,
                () -> c.certificates.delete(Controllers.OPERATOR, "nope")).kind());
    }
}
