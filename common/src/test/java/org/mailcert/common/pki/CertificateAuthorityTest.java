package org.mailcert.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.testing.TestPki;

class CertificateAuthorityTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final CertificateAuthority CA =
            CertificateAuthority.create("mailcert controller CA", Duration.ofDays(3650), CLOCK);
    private static final KeyPair SUBJECT = Keys.generate(Keys.KeyType.EC256);

    @Test
    void aNewCaIsASelfSignedP256CaWithPathLengthZero() throws Exception {
        X509Certificate cert = CA.certificate();
        CertificateFacts facts = CertificateFacts.of(cert);
        assertEquals("CN=mailcert controller CA", facts.subject());
        assertTrue(facts.selfSigned());
        assertEquals("P-256", facts.curve());
        assertEquals(0, cert.getBasicConstraints());
        assertTrue(cert.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
        boolean[] usage = cert.getKeyUsage();
        assertTrue(usage[5] && usage[6], "keyCertSign and cRLSign");
        assertNotNull(cert.getExtensionValue(Extension.subjectKeyIdentifier.getId()));
        assertEquals(NOW.minus(Duration.ofMinutes(5)), facts.notBefore());
        assertEquals(NOW.plus(Duration.ofDays(3650)), facts.notAfter());
        assertTrue(Keys.matches(CA.key(), cert));
    }

    @Test
    void anIssuedServerCertificateVerifiesAgainstTheCaWithItsNames() throws Exception {
        X509Certificate cert = CA.issueServer(SUBJECT.getPublic(),
                List.of("Controller.Example.COM", "*.ctl.example.com"), List.of("192.0.2.7", "::1"),
                Duration.ofDays(30));
        cert.verify(CA.certificate().getPublicKey());
        CertificateFacts facts = CertificateFacts.of(cert);
        assertEquals(List.of("controller.example.com", "*.ctl.example.com"), facts.dnsNames());
        assertEquals(List.of("192.0.2.7", "0:0:0:0:0:0:0:1"), facts.ipAddresses());
        assertEquals("CN=controller.example.com", facts.subject());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage());
        assertEquals(-1, cert.getBasicConstraints());
        assertEquals(NOW.minus(Duration.ofMinutes(5)), facts.notBefore());
        assertEquals(NOW.plus(Duration.ofDays(30)), facts.notAfter());
        assertTrue(cert.getSerialNumber().signum() > 0);
        assertTrue(cert.getSerialNumber().bitLength() <= 128);
        assertTrue(Keys.matches(SUBJECT.getPrivate(), cert));
        assertTrue(facts.covers("controller.example.com"));
        assertTrue(facts.covers("agent1.ctl.example.com"));
        assertEquals(TrustResult.ok(),
                new TrustChecker(List.of(CA.certificate())).check(List.of(cert), NOW));
    }

    @Test
    void theAuthorityKeyIdentifierIsTheCaSubjectKeyIdentifier() throws Exception {
        X509Certificate cert = CA.issueServer(SUBJECT.getPublic(), List.of("a.example.com"),
                List.of(), Duration.ofDays(1));
        byte[] ski = ASN1OctetString.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                CA.certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId())))
                .getOctets();
        byte[] aki = AuthorityKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                cert.getExtensionValue(Extension.authorityKeyIdentifier.getId())))
                .getKeyIdentifierOctets();
        assertTrue(Arrays.equals(ski, aki));
    }

    @Test
    void serialsAreRandom() {
        BigInteger a = CA.issueServer(SUBJECT.getPublic(), List.of("a.example.com"), List.of(),
                Duration.ofDays(1)).getSerialNumber();
        BigInteger b = CA.issueServer(SUBJECT.getPublic(), List.of("a.example.com"), List.of(),
                Duration.ofDays(1)).getSerialNumber();
        assertNotEquals(a, b);
    }

    @Test
    void issuedCertificatesNeverOutliveTheCa() {
        CertificateAuthority shortCa =
                CertificateAuthority.create("short CA", Duration.ofDays(10), CLOCK);
        X509Certificate cert = shortCa.issueServer(SUBJECT.getPublic(), List.of("a.example.com"),
                List.of(), Duration.ofDays(365));
        assertEquals(shortCa.certificate().getNotAfter(), cert.getNotAfter());
    }

    @Test
    void anIssuedClientCertificateCarriesItsUrisAndClientAuth() throws Exception {
        URI id = URI.create("spiffe://mailcert/agent/mx1");
        X509Certificate cert = CA.issueClient(SUBJECT.getPublic(), "agent mx1", List.of(id),
                Duration.ofDays(30));
        cert.verify(CA.certificate().getPublicKey());
        assertEquals("CN=agent mx1", CertificateFacts.of(cert).subject());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
        assertEquals(List.of(List.of(6, id.toString())),
                List.copyOf(cert.getSubjectAlternativeNames()));
    }

    static Stream<Arguments> badServerRequests() {
        return Stream.of(
                Arguments.of("no names at all", List.of(), List.of(), Duration.ofDays(1)),
                Arguments.of("an invalid DNS name", List.of("../etc"), List.of(), Duration.ofDays(1)),
                Arguments.of("a bad wildcard", List.of("*.com"), List.of(), Duration.ofDays(1)),
                Arguments.of("an IP that is no literal", List.of(), List.of("mail.example.com"),
                        Duration.ofDays(1)),
                Arguments.of("a zero validity", List.of("a.example.com"), List.of(), Duration.ZERO),
                Arguments.of("a negative validity", List.of("a.example.com"), List.of(),
                        Duration.ofDays(-1)));
    }

    @ParameterizedTest(name = "a server certificate request with {0} is refused")
    @MethodSource("badServerRequests")
    void badServerRequestsAreRefused(String what, List<String> dns, List<String> ips,
            Duration validity) {
        assertThrows(IllegalArgumentException.class,
                () -> CA.issueServer(SUBJECT.getPublic(), dns, ips, validity));
    }

    @Test
    void anExistingCaIsLoadedFromItsCertificateAndKey() {
        CertificateAuthority loaded = new CertificateAuthority(CA.certificate(), CA.key(), CLOCK);
        X509Certificate cert = loaded.issueServer(SUBJECT.getPublic(), List.of("a.example.com"),
                List.of(), Duration.ofDays(1));
        assertTrue(Chains.issued(cert, CA.certificate()));
    }

    @Test
    void aCaIsNotLoadedWithTheWrongKeyOrFromALeaf() {
        TestPki.Leaf leaf = TestPki.rootCa("Other", CLOCK).leaf("x.example.com").issue();
        IllegalArgumentException wrongKey = assertThrows(IllegalArgumentException.class,
                () -> new CertificateAuthority(CA.certificate(), SUBJECT.getPrivate(), CLOCK));
        assertTrue(wrongKey.getMessage().contains("does not match"), wrongKey.getMessage());
        IllegalArgumentException notCa = assertThrows(IllegalArgumentException.class,
                () -> new CertificateAuthority(leaf.certificate(), leaf.key(), CLOCK));
        assertTrue(notCa.getMessage().contains("not a CA"), notCa.getMessage());
    }

    @Test
    void toStringNamesTheCaButNotTheKey() {
        assertEquals("CertificateAuthority[CN=mailcert controller CA]", CA.toString());
        assertFalse(CA.toString().contains(CA.key().toString()));
    }
}
