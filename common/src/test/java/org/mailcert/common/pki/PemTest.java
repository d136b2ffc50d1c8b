package org.mailcert.common.pki;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.junit.jupiter.api.Test;
import org.mailcert.common.pki.BadMaterialException.Reason;
import org.mailcert.common.testing.TestPki;

class PemTest {
    private static final TestPki PKI = TestPki.rootCa("Test Root").intermediate("Test Int");
    private static final TestPki.Leaf LEAF = PKI.leaf("mail.example.com").issue();

    @Test
    void certificatesRoundTripInOrder() throws Exception {
        String pem = Pem.certificates(LEAF.chainWithRoot());
        assertEquals(LEAF.chainWithRoot(), Pem.readCertificates(pem.getBytes(US_ASCII)));
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
        assertTrue(pem.endsWith("-----END CERTIFICATE-----\n"), pem);
        for (String line : pem.split("\n")) {
            assertTrue(line.length() <= 64, "PEM lines are at most 64 characters: " + line);
        }
    }

    @Test
    void aPrivateKeyIsWrittenAsPkcs8AndReadBack() throws Exception {
        String pem = Pem.privateKey(LEAF.key());
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 label");
        PrivateKey back = MaterialReader.readPemKey(pem.getBytes(US_ASCII), null);
        assertTrue(Keys.matches(back, LEAF.certificate()));
    }

    @Test
    void anEcKeyCanBeWrittenWithItsPublicKeyAsGnuTlsNeeds() throws Exception {
        String pem = Pem.privateKeyWithPublicKey(LEAF.key());
        assertTrue(Keys.matches(MaterialReader.readPemKey(pem.getBytes(US_ASCII), null), LEAF.certificate()));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        ECPrivateKey inner = ECPrivateKey.getInstance(PrivateKeyInfo.getInstance(der).parsePrivateKey());
        ECPublicKey pub = (ECPublicKey) LEAF.certificate().getPublicKey();
        assertArrayEquals(EC5Util.convertPoint(pub.getParams(), pub.getW()).getEncoded(false),
                inner.getPublicKey().getBytes(), "the public key in the PKCS#8 is the certificate's");
    }

    @Test
    void readingCertificatesSkipsKeysEvenEncryptedOnes() throws Exception {
        String pem = LEAF.chainPem() + LEAF.encryptedKeyPem("pw".toCharArray());
        assertEquals(LEAF.chain(), Pem.readCertificates(pem.getBytes(US_ASCII)));
    }

    @Test
    void readingCertificatesFromAKeyFileIsRefused() {
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> Pem.readCertificates(LEAF.keyPem().getBytes(US_ASCII)));
        assertEquals(Reason.NO_CERTIFICATE, e.reason());
    }
}
