package org.mailcert.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.pki.Keys.KeyType;
import org.mailcert.common.testing.TestPki;

class CertificateFactsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final TestPki PKI = TestPki.rootCa("Test Root", CLOCK).intermediate("Test Int");

    @Test
    void factsOfAnEcLeafWithNames() {
        TestPki.Leaf leaf = PKI.leaf("Mail.Example.com", "*.Example.com")
                .ipAddresses("192.0.2.25").issue();
        CertificateFacts facts = CertificateFacts.of(leaf.certificate());
        assertEquals("CN=Mail.Example.com", facts.subject());
        assertEquals("CN=Test Int", facts.issuer());
        assertEquals(List.of("mail.example.com", "*.example.com"), facts.dnsNames());
        assertEquals(List.of("192.0.2.25"), facts.ipAddresses());
        assertEquals(NOW.minusSeconds(3600), facts.notBefore());
        assertEquals("EC", facts.keyType());
        assertEquals(256, facts.keyBits());
        assertEquals("P-256", facts.curve());
        assertEquals(Fingerprints.sha256Hex(leaf.certificate()), facts.sha256());
        assertFalse(facts.selfSigned());
        assertEquals(leaf.certificate().getSerialNumber(), new java.math.BigInteger(facts.serialHex(), 16));
        assertEquals(0, facts.serialHex().length() % 2);
        assertEquals(List.of("mail.example.com", "*.example.com"), facts.names());
    }

    static Stream<Arguments> keys() throws Exception {
        return Stream.of(
                Arguments.of(KeyType.EC384, null, "EC", 384, "P-384"),
                Arguments.of(KeyType.RSA2048, null, "RSA", 2048, ""),
                Arguments.of(null, "Ed25519", "Ed25519", 255, ""));
    }

    @ParameterizedTest(name = "a {2} key is described as {3} bits, curve \"{4}\"")
    @MethodSource("keys")
    void factsDescribeTheKey(KeyType type, String jdkAlgorithm, String keyType, int bits,
            String curve) throws Exception {
        TestPki.LeafBuilder builder = PKI.leaf("mail.example.com");
        if (type != null) {
            builder.keyType(type);
        } else {
            builder.keyPair(KeyPairGenerator.getInstance(jdkAlgorithm).generateKeyPair());
        }
        CertificateFacts facts = CertificateFacts.of(builder.issue().certificate());
        assertEquals(keyType, facts.keyType());
        assertEquals(bits, facts.keyBits());
        assertEquals(curve, facts.curve());
    }

    @Test
    void aSelfSignedCertificateIsSeenAsSuch() {
        assertTrue(CertificateFacts.of(TestPki.selfSigned(CLOCK, "a.example.com").issue()
                .certificate()).selfSigned());
        assertTrue(CertificateFacts.of(PKI.root()).selfSigned());
        assertFalse(CertificateFacts.of(PKI.issuer()).selfSigned());
    }

    @Test
    void expiryIsInclusiveOfTheLastSecond() {
        CertificateFacts facts = CertificateFacts.of(PKI.leaf("a.example.com").issue().certificate());
        assertFalse(facts.expiredAt(facts.notAfter()));
        assertTrue(facts.expiredAt(facts.notAfter().plusSeconds(1)));
        assertFalse(facts.notYetValidAt(facts.notBefore()));
        assertTrue(facts.notYetValidAt(facts.notBefore().minusSeconds(1)));
    }

    static Stream<Arguments> coverage() {
        TestPki.Leaf sans = PKI.leaf("mail.example.com", "*.mx.example.com")
                .commonName("legacy.example.com").issue();
        TestPki.Leaf cnOnly = PKI.leaf().commonName("Legacy.Example.com").issue();
        TestPki.Leaf ipOnly = PKI.leaf().commonName("legacy.example.com")
                .ipAddresses("192.0.2.1").issue();
        return Stream.of(
                Arguments.of("SANs", sans, "mail.example.com", true),
                Arguments.of("SANs", sans, "a.mx.example.com", true),
                Arguments.of("SANs", sans, "legacy.example.com", false),
                Arguments.of("SANs", sans, "example.com", false),
                Arguments.of("only a CN", cnOnly, "legacy.example.com", true),
                Arguments.of("only a CN", cnOnly, "other.example.com", false),
                Arguments.of("an IP SAN and a CN", ipOnly, "legacy.example.com", false));
    }

    @ParameterizedTest(name = "a certificate with {0} covers {2}: {3}")
    @MethodSource("coverage")
    void coverageUsesSansAndTheCnOnlyWithoutAnySan(String what, TestPki.Leaf leaf, String host,
            boolean expected) {
        assertEquals(expected, CertificateFacts.of(leaf.certificate()).covers(host));
    }

    @Test
    void namesFallBackToTheCnForDisplay() {
        CertificateFacts facts =
                CertificateFacts.of(PKI.leaf().commonName("Legacy.Example.com").issue().certificate());
        assertEquals(List.of(), facts.dnsNames());
        assertEquals(List.of("legacy.example.com"), facts.names());
        assertEquals("legacy.example.com", facts.commonName());
    }

    @Test
    void aCertificateWithoutSubjectHasNoCommonName() {
        CertificateFacts facts = CertificateFacts.of(
                PKI.leaf("a.example.com").commonName(null).issue().certificate());
        assertEquals("", facts.subject());
        assertEquals("", facts.commonName());
        assertEquals(List.of("a.example.com"), facts.names());
    }

    @Test
    void sha256IsLowerCaseHexOfTheDer() throws Exception {
        var cert = PKI.root();
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        assertEquals(HexFormat.of().formatHex(digest), CertificateFacts.of(cert).sha256());
    }
}
