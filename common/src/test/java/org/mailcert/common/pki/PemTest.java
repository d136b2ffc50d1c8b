package org.mailcert.common.pki;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.PrivateKey;
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
