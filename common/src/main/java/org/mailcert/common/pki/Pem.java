package org.mailcert.common.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Writes certificates and keys as PEM text, and reads certificates back. */
public final class Pem {
    private Pem() {}

    /** The certificates as consecutive {@code CERTIFICATE} blocks, in the order given. */
    public static String certificates(List<X509Certificate> certs) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate cert : certs) {
            out.append(PemText.encode("CERTIFICATE", Fingerprints.der(cert)));
        }
        return out.toString();
    }

    /**
     * The key as an unencrypted PKCS#8 {@code PRIVATE KEY} block: only for handing a key to a
     * server or agent over a protected channel, never for logs.
     */
    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat()) || key.getEncoded() == null) {
            throw new IllegalArgumentException("the " + key.getAlgorithm()
                    + " key cannot be exported as PKCS#8 (format " + key.getFormat() + ")");
        }
        return PemText.encode("PRIVATE KEY", key.getEncoded());
    }

    /**
     * Reads every certificate from PEM text, in file order; key blocks are skipped unread.
     *
     * @throws BadMaterialException MALFORMED, TRUNCATED or NO_CERTIFICATE
     */
    public static List<X509Certificate> readCertificates(byte[] pem) throws BadMaterialException {
        return MaterialReader.readCertificates(pem);
    }
}
