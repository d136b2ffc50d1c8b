package org.mailcert.common.pki;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.math.ec.ECPoint;

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
        requirePkcs8(key);
        return PemText.encode("PRIVATE KEY", key.getEncoded());
    }

    /**
     * Like {@link #privateKey}, but an EC key also carries its public key, as OpenSSL writes it:
     * the form to hand to a GnuTLS server (Courier's couriertls), which cannot use an EC key
     * without it. RSA keys are the same in both forms.
     */
    public static String privateKeyWithPublicKey(PrivateKey key) {
        requirePkcs8(key);
        return PemText.encode("PRIVATE KEY", key instanceof ECPrivateKey ec ? withPublicKey(ec) : key.getEncoded());
    }

    private static void requirePkcs8(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat()) || key.getEncoded() == null) {
            throw new IllegalArgumentException("the " + key.getAlgorithm()
                    + " key cannot be exported as PKCS#8 (format " + key.getFormat() + ")");
        }
    }

    /**
     * The JDK encodes an EC key without the optional public key of its SEC1 structure; GnuTLS 3.7
     * (so Debian 12's couriertls) cannot use such a key and fails every handshake with "No
     * supported cipher suites have been found". Adds the public key, computed from the private value.
     */
    private static byte[] withPublicKey(ECPrivateKey key) {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey inner =
                    org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            if (inner.getPublicKey() != null) {
                return key.getEncoded();
            }
            ECParameterSpec spec = EC5Util.convertSpec(key.getParams());
            ECPoint q = spec.getG().multiply(key.getS()).normalize();
            org.bouncycastle.asn1.sec.ECPrivateKey full = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    spec.getN().bitLength(), key.getS(), new DERBitString(q.getEncoded(false)), null);
            return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), full).getEncoded(ASN1Encoding.DER);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the EC key cannot be exported as PKCS#8: " + e.getMessage(), e);
        }
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
