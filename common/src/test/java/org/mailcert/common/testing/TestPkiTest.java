package org.mailcert.common.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.Chains;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.common.pki.TrustResult;

/** The test support does what its Javadoc promises, so other modules can rely on it. */
class TestPkiTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final TestPki ROOT = TestPki.rootCa("Test Root", CLOCK);
    private static final TestPki PKI = ROOT.intermediate("Test Int");

    @Test
    void aLeafChainsThroughTheIntermediateToTheRoot() throws Exception {
        TestPki.Leaf leaf = PKI.leaf("mail.example.com", "*.example.com").issue();
        assertEquals(List.of(leaf.certificate(), PKI.issuer()), leaf.chain());
        assertEquals(ROOT.root(), leaf.root());
        assertEquals(leaf.chainWithRoot(), Chains.order(leaf.chainWithRoot()));
        assertEquals(TrustResult.ok(),
                new TrustChecker(List.of(PKI.root())).check(leaf.chain(), NOW));
        assertEquals(List.of("mail.example.com", "*.example.com"),
                CertificateFacts.of(leaf.certificate()).dnsNames());
    }

    @Test
    void validityShortcutsAreRelativeToTheClock() {
        CertificateFacts expired = CertificateFacts.of(PKI.leaf("a.example.com").expired().issue()
                .certificate());
        assertEquals(NOW.minus(Duration.ofDays(1)), expired.notAfter());
        CertificateFacts future = CertificateFacts.of(PKI.leaf("a.example.com").notYetValid()
                .issue().certificate());
        assertEquals(NOW.plus(Duration.ofDays(1)), future.notBefore());
        CertificateFacts week = CertificateFacts.of(PKI.leaf("a.example.com")
                .validFor(Duration.ofDays(7)).issue().certificate());
        assertEquals(NOW.plus(Duration.ofDays(7)), week.notAfter());
    }

    @Test
    void aSelfSignedLeafIsItsOwnRoot() {
        TestPki.Leaf self = PKI.leaf("a.example.com").selfSigned().issue();
        assertEquals(List.of(self.certificate()), self.chainWithRoot());
        assertEquals(self.certificate(), self.root());
        assertTrue(CertificateFacts.of(self.certificate()).selfSigned());
    }

    @Test
    void aCnOnlyLeafHasNoSubjectAlternativeNames() throws Exception {
        X509Certificate cert = PKI.leaf().commonName("legacy.example.com").issue().certificate();
        assertNull(cert.getSubjectAlternativeNames());
    }

    @Test
    void everyExportIsReadBackByMaterialReader() throws Exception {
        char[] pw = "pw".toCharArray();
        TestPki.Leaf rsa = PKI.leaf("mail.example.com").rsa().issue();
        TestPki.Leaf ec = PKI.leaf("mail.example.com").issue();
        for (String keyPem : List.of(rsa.keyPem(), rsa.pkcs1KeyPem(), rsa.encryptedKeyPem(pw))) {
            Keys.requireMatch(MaterialReader.readPemKey(keyPem.getBytes(US_ASCII), pw),
                    rsa.certificate());
        }
        for (String keyPem : List.of(ec.keyPem(), ec.sec1KeyPem(), ec.encryptedKeyPem(pw))) {
            Keys.requireMatch(MaterialReader.readPemKey(keyPem.getBytes(US_ASCII), pw),
                    ec.certificate());
        }
        assertEquals(ec.chain(), MaterialReader.readPkcs12(ec.pkcs12(pw), pw).chain());
        assertEquals(List.of(ROOT.root(), PKI.issuer(), ec.certificate()),
                MaterialReader.readPem(ec.chainPemReversed().getBytes(US_ASCII), null).chain());
    }

    @Test
    void encodingsThatDoNotFitTheKeyAreRefused() {
        TestPki.Leaf ec = PKI.leaf("mail.example.com").issue();
        assertThrows(IllegalArgumentException.class, ec::pkcs1KeyPem);
        assertThrows(IllegalStateException.class, () -> PKI.leaf().issue());
    }

    @Test
    void theIssuingCaIsAvailableAsAnAuthority() throws Exception {
        X509Certificate cert = PKI.authority().issueServer(
                Keys.generate(Keys.KeyType.EC256).getPublic(), List.of("x.example.com"),
                List.of(), Duration.ofDays(1));
        cert.verify(PKI.issuer().getPublicKey());
        assertEquals(List.of(PKI.issuer()), PKI.intermediates());
    }
}
