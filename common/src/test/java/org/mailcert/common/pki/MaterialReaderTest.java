package org.mailcert.common.pki;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.pki.BadMaterialException.Reason;
import org.mailcert.common.testing.TestPki;

class MaterialReaderTest {
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final char[] PASSWORD = "correct horse".toCharArray();
    private static final TestPki PKI = TestPki.rootCa("Test Root", CLOCK).intermediate("Test Int");
    private static final TestPki.Leaf EC = PKI.leaf("mail.example.com").issue();
    private static final TestPki.Leaf EC384 =
            PKI.leaf("mail.example.com").keyType(Keys.KeyType.EC384).issue();
    private static final TestPki.Leaf RSA = PKI.leaf("mail.example.com").rsa().issue();
    private static final TestPki.Leaf ED25519 =
            PKI.leaf("mail.example.com").keyPair(ed25519()).issue();

    private static java.security.KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> keyFormats() {
        return Stream.of(
                format("PKCS#8 EC P-256", EC, TestPki.Leaf::keyPem),
                format("PKCS#8 EC P-384", EC384, TestPki.Leaf::keyPem),
                format("PKCS#8 RSA", RSA, TestPki.Leaf::keyPem),
                format("PKCS#8 Ed25519", ED25519, TestPki.Leaf::keyPem),
                format("encrypted PKCS#8 EC", EC, l -> l.encryptedKeyPem(PASSWORD)),
                format("encrypted PKCS#8 RSA", RSA, l -> l.encryptedKeyPem(PASSWORD)),
                format("PKCS#1 RSA", RSA, TestPki.Leaf::pkcs1KeyPem),
                format("SEC1 EC P-256", EC, TestPki.Leaf::sec1KeyPem),
                format("SEC1 EC P-384", EC384, TestPki.Leaf::sec1KeyPem),
                format("SEC1 EC after an EC PARAMETERS block", EC,
                        l -> TestCertificates.sec1PemWithParametersBlock(l.keyPair())));
    }

    private static Arguments format(String name, TestPki.Leaf leaf,
            Function<TestPki.Leaf, String> keyPem) {
        return Arguments.of(name, leaf, keyPem);
    }

    @ParameterizedTest(name = "a {0} key is read back with its chain")
    @MethodSource("keyFormats")
    void everyKeyFormatRoundTrips(String format, TestPki.Leaf leaf,
            Function<TestPki.Leaf, String> keyPem) throws Exception {
        byte[] pem = (leaf.chainPem() + keyPem.apply(leaf)).getBytes(US_ASCII);
        Material m = MaterialReader.readPem(pem, PASSWORD);
        assertEquals(leaf.chain(), m.chain());
        assertSameKey(leaf.key(), m.key().orElseThrow());
        assertTrue(Keys.matches(m.key().get(), m.chain().get(0)));
    }

    @Test
    void certificatesKeepFileOrderAndTheKeyMayComeFirst() throws Exception {
        byte[] pem = (EC.keyPem() + EC.chainPemReversed()).getBytes(US_ASCII);
        Material m = MaterialReader.readPem(pem, null);
        assertEquals(List.of(PKI.root(), PKI.issuer(), EC.certificate()), m.chain());
        assertTrue(m.key().isPresent());
    }

    @Test
    void aPemWithoutKeyGivesAnEmptyKey() throws Exception {
        Material m = MaterialReader.readPem(EC.chainPem().getBytes(US_ASCII), null);
        assertEquals(2, m.chain().size());
        assertTrue(m.key().isEmpty());
    }

    @Test
    void textAroundBlocksAndOtherBlockTypesAreIgnored() throws Exception {
        String pem = "Bag Attributes\n    localKeyID: 01 02\nsubject=CN = mail.example.com\n"
                + EC.chainPem().replace("\n", "\r\n") + "\n# comment\n"
                + "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getEncoder().encodeToString(EC.keyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n" + EC.keyPem();
        Material m = MaterialReader.readPem(pem.getBytes(US_ASCII), null);
        assertEquals(EC.chain(), m.chain());
        assertTrue(m.key().isPresent());
    }

    @Test
    void readPemKeyReadsASeparateKeyFile() throws Exception {
        PrivateKey key = MaterialReader.readPemKey(RSA.pkcs1KeyPem().getBytes(US_ASCII), null);
        assertTrue(Keys.matches(key, RSA.certificate()));
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> MaterialReader.readPemKey(RSA.chainPem().getBytes(US_ASCII), null));
        assertEquals(Reason.NO_KEY, e.reason());
    }

    static Stream<Arguments> badPem() {
        String chain = EC.chainPem();
        String key = EC.keyPem();
        String certBody = chain.substring(chain.indexOf('\n') + 1, chain.indexOf("-----END"));
        return Stream.of(
                Arguments.of("no PEM at all", "hello world\n", null, Reason.MALFORMED),
                Arguments.of("an empty file", "", null, Reason.MALFORMED),
                Arguments.of("a certificate block of bad base64",
                        "-----BEGIN CERTIFICATE-----\n!!!notbase64!!!\n-----END CERTIFICATE-----\n",
                        null, Reason.MALFORMED),
                Arguments.of("a certificate block that is not DER",
                        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
                        null, Reason.MALFORMED),
                Arguments.of("an empty certificate block",
                        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", null,
                        Reason.MALFORMED),
                Arguments.of("a block ended by another label",
                        "-----BEGIN CERTIFICATE-----\n" + certBody + "-----END PRIVATE KEY-----\n",
                        null, Reason.MALFORMED),
                Arguments.of("a private key block that is not PKCS#8",
                        chain + "-----BEGIN PRIVATE KEY-----\naGVsbG8=\n-----END PRIVATE KEY-----\n",
                        null, Reason.MALFORMED),
                Arguments.of("a chain cut in the middle", chain.substring(0, chain.length() / 2),
                        null, Reason.TRUNCATED),
                Arguments.of("a key without END line", chain + key.substring(0, key.length() - 30),
                        null, Reason.TRUNCATED),
                Arguments.of("a chain whose start is cut off", chain.substring(40), null,
                        Reason.TRUNCATED),
                Arguments.of("a BEGIN inside a block",
                        "-----BEGIN CERTIFICATE-----\n" + certBody + chain, null, Reason.TRUNCATED),
                Arguments.of("only a key", key, null, Reason.NO_CERTIFICATE),
                Arguments.of("two keys", chain + key + RSA.keyPem(), null, Reason.MULTIPLE_KEYS),
                Arguments.of("an encrypted key without password",
                        chain + EC.encryptedKeyPem(PASSWORD), null, Reason.PASSWORD_REQUIRED),
                Arguments.of("an encrypted key with an empty password",
                        chain + EC.encryptedKeyPem(PASSWORD), "", Reason.PASSWORD_REQUIRED),
                Arguments.of("an encrypted key with the wrong password",
                        chain + EC.encryptedKeyPem(PASSWORD), "wrong", Reason.WRONG_PASSWORD),
                Arguments.of("an OpenSSH key",
                        chain + "-----BEGIN OPENSSH PRIVATE KEY-----\naGVsbG8=\n"
                                + "-----END OPENSSH PRIVATE KEY-----\n", null,
                        Reason.UNSUPPORTED_KEY),
                Arguments.of("a legacy encrypted PKCS#1 key",
                        chain + "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                                + "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n"
                                + "aGVsbG8=\n-----END RSA PRIVATE KEY-----\n", null,
                        Reason.UNSUPPORTED_KEY));
    }

    @ParameterizedTest(name = "{0} is refused as {3}")
    @MethodSource("badPem")
    void badPemIsRefusedWithItsReason(String what, String pem, String password, Reason reason) {
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> MaterialReader.readPem(pem.getBytes(US_ASCII),
                        password == null ? null : password.toCharArray()));
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertNoKeyMaterial(e.getMessage());
    }

    @Test
    void aTruncatedBlockIsNamedInTheMessage() {
        String chain = EC.chainPem();
        BadMaterialException e = assertThrows(BadMaterialException.class, () -> MaterialReader
                .readPem(chain.substring(0, 200).getBytes(US_ASCII), null));
        assertEquals("PEM is truncated: '-----BEGIN CERTIFICATE-----' block has no END line",
                e.getMessage());
    }

    @Test
    void aLegacyEncryptedKeyMessageSaysHowToConvertIt() {
        String pem = EC.chainPem() + "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\naGVsbG8=\n"
                + "-----END EC PRIVATE KEY-----\n";
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> MaterialReader.readPem(pem.getBytes(US_ASCII), "pw".toCharArray()));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
    }

    @ParameterizedTest(name = "a PKCS#12 file of a {0} key is read back")
    @MethodSource("pkcs12Leaves")
    void pkcs12RoundTrips(String type, TestPki.Leaf leaf) throws Exception {
        Material m = MaterialReader.readPkcs12(leaf.pkcs12(PASSWORD), PASSWORD);
        assertEquals(leaf.chain(), m.chain());
        assertSameKey(leaf.key(), m.key().orElseThrow());
    }

    static Stream<Arguments> pkcs12Leaves() {
        return Stream.of(Arguments.of("EC", EC), Arguments.of("RSA", RSA));
    }

    @Test
    void pkcs12WithAnEmptyPasswordIsReadWithEmptyOrNull() throws Exception {
        byte[] pfx = EC.pkcs12(new char[0]);
        assertEquals(EC.chain(), MaterialReader.readPkcs12(pfx, new char[0]).chain());
        assertEquals(EC.chain(), MaterialReader.readPkcs12(pfx, null).chain());
    }

    static Stream<Arguments> badPkcs12() throws Exception {
        byte[] good = EC.pkcs12(PASSWORD);
        byte[] half = java.util.Arrays.copyOf(good, good.length / 2);
        return Stream.of(
                Arguments.of("a wrong password", good, "wrong", Reason.WRONG_PASSWORD),
                Arguments.of("no password for a protected file", good, null,
                        Reason.WRONG_PASSWORD),
                Arguments.of("garbage", "hello world".getBytes(US_ASCII), "x", Reason.MALFORMED),
                Arguments.of("a PEM file", EC.combinedPem().getBytes(US_ASCII), "x",
                        Reason.MALFORMED),
                Arguments.of("an empty file", new byte[0], "x", Reason.MALFORMED),
                Arguments.of("a file cut in half", half, new String(PASSWORD), Reason.MALFORMED),
                Arguments.of("certificates only", certificatesOnlyPkcs12(), new String(PASSWORD),
                        Reason.NO_KEY));
    }

    private static byte[] certificatesOnlyPkcs12() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", PKI.root());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, PASSWORD);
        return out.toByteArray();
    }

    @ParameterizedTest(name = "a PKCS#12 with {0} is refused as {3}")
    @MethodSource("badPkcs12")
    void badPkcs12IsRefusedWithItsReason(String what, byte[] pfx, String password, Reason reason) {
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> MaterialReader.readPkcs12(pfx,
                        password == null ? null : password.toCharArray()));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void materialToStringNeverShowsTheKey() throws Exception {
        Material m = MaterialReader.readPem(RSA.combinedPem().getBytes(US_ASCII), null);
        String shown = m.toString();
        assertTrue(shown.contains("key RSA present"), shown);
        assertNoKeyMaterial(shown);
        java.security.interfaces.RSAPrivateCrtKey rsa =
                (java.security.interfaces.RSAPrivateCrtKey) m.key().orElseThrow();
        assertFalse(shown.contains(rsa.getPrivateExponent().toString()), shown);
        assertFalse(shown.contains(rsa.getPrivateExponent().toString(16)), shown);
    }

    /** Same private value; SEC1 keys come back with their public key inside, so DER differs. */
    private static void assertSameKey(PrivateKey expected, PrivateKey actual) {
        assertEquals(expected.getAlgorithm(), actual.getAlgorithm());
        if (expected instanceof ECPrivateKey) {
            assertEquals(((ECPrivateKey) expected).getS(), ((ECPrivateKey) actual).getS());
        } else {
            assertArrayEquals(expected.getEncoded(), actual.getEncoded());
        }
    }

    /** No 16-character run of any test key's PEM body shows up in the text. */
    private static void assertNoKeyMaterial(String text) {
        for (TestPki.Leaf leaf : List.of(EC, RSA)) {
            String body = Base64.getEncoder().encodeToString(leaf.key().getEncoded());
            for (int i = 0; i + 16 <= body.length(); i += 8) {
                assertFalse(text.contains(body.substring(i, i + 16)), "key material in: " + text);
            }
        }
    }
}
