package org.mailcert.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.pki.BadMaterialException.Reason;

/** Reads files made by the openssl command line; see src/test/resources/fixtures/README.md. */
class MaterialReaderFixturesTest {
    private static final char[] PASSWORD = "fixture-password".toCharArray();

    static byte[] fixture(String name) {
        try (InputStream in = MaterialReaderFixturesTest.class.getResourceAsStream(
                "/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(String... names) {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            text.append(new String(fixture(name), java.nio.charset.StandardCharsets.US_ASCII));
        }
        return text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static Stream<Arguments> pemFixtures() {
        return Stream.of(
                Arguments.of("ec-cert.pem + ec-key.pem (PKCS#8)",
                        concat("ec-cert.pem", "ec-key.pem"), null, "ec.fixture.example"),
                Arguments.of("ec-cert.pem + openssl pkcs8 -topk8 -v2 aes256",
                        concat("ec-cert.pem", "ec-key-pkcs8-aes256.pem"), PASSWORD,
                        "ec.fixture.example"),
                Arguments.of("certificate + openssl ecparam -genkey output",
                        fixture("ec-params-combined.pem"), null, "ecparam.fixture.example"),
                Arguments.of("rsa-cert.pem + openssl genrsa -traditional (PKCS#1)",
                        concat("rsa-cert.pem", "rsa-key-pkcs1.pem"), null, "rsa.fixture.example"),
                Arguments.of("openssl pkcs12 -nodes output with Bag Attributes",
                        fixture("bag-attributes.pem"), null, "rsa.fixture.example"),
                Arguments.of("Ed25519 certificate and key",
                        concat("ed25519-cert.pem", "ed25519-key.pem"), null,
                        "ed.fixture.example"));
    }

    @ParameterizedTest(name = "{0} is read with a matching key")
    @MethodSource("pemFixtures")
    void opensslPemFilesAreRead(String what, byte[] pem, char[] password, String name)
            throws Exception {
        Material m = MaterialReader.readPem(pem, password);
        assertEquals(1, m.chain().size());
        assertEquals(name, CertificateFacts.of(m.chain().get(0)).names().get(0));
        Keys.requireMatch(m.key().orElseThrow(), m.chain().get(0));
    }

    static Stream<Arguments> pkcs12Fixtures() {
        return Stream.of(
                Arguments.of("modern.p12", PASSWORD),
                Arguments.of("legacy.p12", PASSWORD),
                Arguments.of("empty-password.p12", new char[0]),
                Arguments.of("empty-password.p12", null));
    }

    @ParameterizedTest(name = "{0} made by openssl pkcs12 -export is read")
    @MethodSource("pkcs12Fixtures")
    void opensslPkcs12FilesAreRead(String file, char[] password) throws Exception {
        Material m = MaterialReader.readPkcs12(fixture(file), password);
        assertEquals(List.of("rsa.fixture.example"), CertificateFacts.of(m.chain().get(0)).dnsNames());
        Keys.requireMatch(m.key().orElseThrow(), m.chain().get(0));
    }

    @Test
    void aLegacyPkcs12WithTheWrongPasswordIsRefused() {
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> MaterialReader.readPkcs12(fixture("legacy.p12"), "nope".toCharArray()));
        assertEquals(Reason.WRONG_PASSWORD, e.reason());
        assertEquals("PKCS#12 password is wrong or the file is corrupt", e.getMessage());
    }

    @Test
    void anOpensslEncryptedKeyWithTheWrongPasswordIsRefused() {
        BadMaterialException e = assertThrows(BadMaterialException.class, () -> MaterialReader
                .readPem(concat("ec-cert.pem", "ec-key-pkcs8-aes256.pem"), "nope".toCharArray()));
        assertEquals(Reason.WRONG_PASSWORD, e.reason());
    }

    @Test
    void aLegacyEncryptedPkcs1KeyIsRefusedWithHowToConvertIt() {
        BadMaterialException e = assertThrows(BadMaterialException.class, () -> MaterialReader
                .readPem(concat("rsa-cert.pem", "rsa-key-legacy-encrypted.pem"), PASSWORD));
        assertEquals(Reason.UNSUPPORTED_KEY, e.reason());
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
    }

    @Test
    void factsOfAnOpensslCertificate() throws Exception {
        CertificateFacts facts =
                CertificateFacts.of(Pem.readCertificates(fixture("ec-cert.pem")).get(0));
        assertEquals("CN=ec.fixture.example", facts.subject());
        assertEquals(List.of("ec.fixture.example", "*.ec.fixture.example"), facts.dnsNames());
        assertEquals("EC", facts.keyType());
        assertEquals(256, facts.keyBits());
        assertEquals("P-256", facts.curve());
        assertTrue(facts.selfSigned());
        assertTrue(facts.covers("smtp.ec.fixture.example"));
    }
}
