package org.mailcert.common.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** Lower-case hex digests of bytes and of certificates' DER encodings. */
public final class Fingerprints {
    private Fingerprints() {}

    /** The SHA-256 digest of the bytes, as lower-case hex. */
    public static String sha256Hex(byte[] bytes) {
        return hex("SHA-256", bytes);
    }

    /** The SHA-256 fingerprint of the certificate's DER encoding, as lower-case hex. */
    public static String sha256Hex(X509Certificate cert) {
        return hex("SHA-256", der(cert));
    }

    /** The SHA-1 fingerprint of the certificate's DER, as lower-case hex (for display only). */
    public static String sha1Hex(X509Certificate cert) {
        return hex("SHA-1", der(cert));
    }

    static byte[] der(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a parsed certificate cannot be encoded", e);
        }
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }
}
