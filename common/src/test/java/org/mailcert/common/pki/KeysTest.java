package org.mailcert.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.common.pki.BadMaterialException.Reason;
import org.mailcert.common.pki.Keys.KeyType;
import org.mailcert.common.testing.TestPki;

class KeysTest {
    private static final TestPki PKI = TestPki.rootCa("Test Root");
    private static final TestPki.Leaf RSA_A = PKI.leaf("a.example.com").rsa().issue();
    private static final TestPki.Leaf RSA_B = PKI.leaf("b.example.com").rsa().issue();
    private static final TestPki.Leaf EC_A = PKI.leaf("a.example.com").issue();
    private static final TestPki.Leaf EC_B = PKI.leaf("b.example.com").issue();
    private static final TestPki.Leaf P384 = PKI.leaf("c.example.com").keyType(KeyType.EC384).issue();
    private static final TestPki.Leaf ED_A = PKI.leaf("a.example.com").keyPair(ed25519()).issue();
    private static final TestPki.Leaf ED_B = PKI.leaf("b.example.com").keyPair(ed25519()).issue();

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of("an RSA key and its certificate", RSA_A.key(), RSA_A.certificate(), true),
                Arguments.of("an EC key and its certificate", EC_A.key(), EC_A.certificate(), true),
                Arguments.of("a P-384 key and its certificate", P384.key(), P384.certificate(), true),
                Arguments.of("an Ed25519 key and its certificate", ED_A.key(), ED_A.certificate(), true),
                Arguments.of("an RSA key and another RSA certificate", RSA_A.key(),
                        RSA_B.certificate(), false),
                Arguments.of("an EC key and another EC certificate", EC_A.key(), EC_B.certificate(),
                        false),
                Arguments.of("an Ed25519 key and another Ed25519 certificate", ED_A.key(),
                        ED_B.certificate(), false),
                Arguments.of("an RSA key and an EC certificate", RSA_A.key(), EC_A.certificate(),
                        false),
                Arguments.of("a P-256 key and a P-384 certificate", EC_A.key(), P384.certificate(),
                        false),
                Arguments.of("an EC key and its issuer's certificate", EC_A.key(), PKI.root(), false),
                Arguments.of("no key", null, EC_A.certificate(), false),
                Arguments.of("an RSA key with its modulus but a wrong CRT exponent", tamperedRsa(RSA_A),
                        RSA_A.certificate(), false),
                Arguments.of("an EC key whose scalar is one off", tamperedEc(EC_A), EC_A.certificate(), false));
    }

    /** The key's modulus and exponents with dP changed: a key that would make bad CRT signatures. */
    private static PrivateKey tamperedRsa(TestPki.Leaf leaf) {
        try {
            java.security.interfaces.RSAPrivateCrtKey k = (java.security.interfaces.RSAPrivateCrtKey) leaf.key();
            return java.security.KeyFactory.getInstance("RSA").generatePrivate(new java.security.spec.RSAPrivateCrtKeySpec(
                    k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(), k.getPrimeP(), k.getPrimeQ(),
                    k.getPrimeExponentP().add(java.math.BigInteger.TWO), k.getPrimeExponentQ(), k.getCrtCoefficient()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey tamperedEc(TestPki.Leaf leaf) {
        try {
            java.security.interfaces.ECPrivateKey k = (java.security.interfaces.ECPrivateKey) leaf.key();
            return java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.ECPrivateKeySpec(
                    k.getS().add(java.math.BigInteger.ONE), k.getParams()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}: match is {3}")
    @MethodSource("pairs")
    void matchesTellsWhetherTheKeyBelongsToTheCertificate(String what, PrivateKey key,
            X509Certificate cert, boolean expected) {
        assertEquals(expected, Keys.matches(key, cert));
    }

    @Test
    void requireMatchNamesTheLeafOnMismatch() throws Exception {
        Keys.requireMatch(EC_A.key(), EC_A.certificate());
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> Keys.requireMatch(RSA_A.key(), RSA_B.certificate()));
        assertEquals(Reason.KEY_MISMATCH, e.reason());
        assertEquals("the private key does not match the certificate's public key"
                + " (leaf CN=b.example.com)", e.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\" parses")
    @ValueSource(strings = {"ec256", "EC384", "rsa2048", "Rsa3072", "rsa4096"})
    void keyTypesParseCaseInsensitively(String s) {
        assertEquals(s.toLowerCase(java.util.Locale.ROOT), KeyType.parse(s).id());
    }

    @ParameterizedTest(name = "\"{0}\" is refused with the allowed list")
    @ValueSource(strings = {"", "ec521", "rsa1024", "ed25519", "ec 256"})
    void unknownKeyTypesAreRefused(String s) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KeyType.parse(s));
        assertTrue(e.getMessage().endsWith("allowed: ec256, ec384, rsa2048, rsa3072, rsa4096"),
                e.getMessage());
    }

    @Test
    void aNullKeyTypeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> KeyType.parse(null));
    }

    @ParameterizedTest(name = "{0} keys are generated with the right size")
    @EnumSource(value = KeyType.class, names = {"EC256", "EC384", "RSA2048", "RSA3072"})
    void generatedKeysHaveTheirType(KeyType type) {
        KeyPair pair = Keys.generate(type);
        assertEquals(type.algorithm(), pair.getPublic().getAlgorithm());
        int bits = pair.getPublic() instanceof ECPublicKey
                ? ((ECPublicKey) pair.getPublic()).getParams().getCurve().getField().getFieldSize()
                : ((RSAPublicKey) pair.getPublic()).getModulus().bitLength();
        assertEquals(type.bits(), bits);
        assertTrue(Keys.matches(pair.getPrivate(), pair.getPublic()));
    }
}
