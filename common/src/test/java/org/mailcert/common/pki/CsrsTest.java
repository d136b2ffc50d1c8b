package org.mailcert.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.pki.BadMaterialException.Reason;
import org.mailcert.common.pki.Keys.KeyType;

class CsrsTest {
    private static final KeyPair EC = Keys.generate(KeyType.EC256);
    private static final KeyPair OTHER = Keys.generate(KeyType.EC256);

    @ParameterizedTest(name = "a {0} CSR gives back its public key")
    @EnumSource(value = KeyType.class, names = {"EC256", "EC384", "RSA2048"})
    void aCsrGivesBackItsVerifiedPublicKey(KeyType type) throws Exception {
        KeyPair pair = type == KeyType.EC256 ? EC : Keys.generate(type);
        byte[] csr = Csrs.create(pair, "agent mx1");
        assertEquals(pair.getPublic(), Csrs.verifiedPublicKey(csr));
    }

    static Stream<Arguments> badCsrs() throws Exception {
        byte[] good = Csrs.create(EC, "agent mx1");
        byte[] flipped = Arrays.copyOf(good, good.length);
        flipped[flipped.length - 10] ^= 0x01;
        byte[] subjectChanged = Arrays.copyOf(good, good.length);
        int at = indexOf(subjectChanged, "mx1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        subjectChanged[at] = 'n';
        byte[] signedByAnother = new JcaPKCS10CertificationRequestBuilder(
                new X500Name("CN=agent mx1"), EC.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(OTHER.getPrivate()))
                .getEncoded();
        return Stream.of(
                Arguments.of("a flipped signature bit", flipped, Reason.MALFORMED),
                Arguments.of("an altered subject", subjectChanged, Reason.MALFORMED),
                Arguments.of("a signature by another key", signedByAnother, Reason.MALFORMED),
                Arguments.of("garbage", "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        Reason.MALFORMED),
                Arguments.of("half a CSR", Arrays.copyOf(good, good.length / 2), Reason.MALFORMED));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    @ParameterizedTest(name = "a CSR with {0} is refused")
    @MethodSource("badCsrs")
    void aCsrThatDoesNotVerifyIsRefused(String what, byte[] csr, Reason reason) {
        BadMaterialException e =
                assertThrows(BadMaterialException.class, () -> Csrs.verifiedPublicKey(csr));
        assertEquals(reason, e.reason(), e.getMessage());
    }
}
