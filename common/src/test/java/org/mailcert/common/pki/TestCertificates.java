package org.mailcert.common.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Test-only bridge to this package's certificate builder and to key encodings mailcert never
 * writes itself (PKCS#1, SEC1, encrypted PKCS#8). It lives in {@code pki} so that Bouncy Castle
 * stays inside this package; {@link org.mailcert.common.testing.TestPki} is the friendly face.
 */
public final class TestCertificates {
    private TestCertificates() {}

    /**
     * Signs a CA certificate (CA:true without a path length limit, keyCertSign, cRLSign).
     *
     * @param issuer the issuing CA, or null for a self-signed root
     */
    public static X509Certificate ca(String commonName, PublicKey key, Instant notBefore,
            Instant notAfter, X509Certificate issuer, PrivateKey signingKey) {
        return new CertificateBuilder(key)
                .commonName(commonName)
                .validity(notBefore, notAfter)
                .ca(null)
                .sign(issuer, signingKey);
    }

    /**
     * Signs an end-entity certificate with EKU serverAuth and clientAuth; names are written as
     * given, unchecked, so tests can make odd certificates.
     *
     * @param commonName the subject CN, or null for an empty subject (the SAN is then critical)
     * @param issuer the issuing CA, or null for a self-signed certificate
     */
    public static X509Certificate leaf(String commonName, List<String> dnsNames,
            List<String> ipAddresses, PublicKey key, Instant notBefore, Instant notAfter,
            X509Certificate issuer, PrivateKey signingKey) {
        CertificateBuilder builder = new CertificateBuilder(key)
                .validity(notBefore, notAfter)
                .purpose(KeyPurposeId.id_kp_serverAuth)
                .purpose(KeyPurposeId.id_kp_clientAuth);
        if (commonName != null) {
            builder.commonName(commonName);
        }
        dnsNames.forEach(builder::dnsName);
        ipAddresses.forEach(builder::ipAddress);
        return builder.sign(issuer, signingKey);
    }

    /** The RSA key as a PKCS#1 {@code RSA PRIVATE KEY} PEM block. */
    public static String pkcs1Pem(PrivateKey rsaKey) {
        if (!"RSA".equals(rsaKey.getAlgorithm())) {
            throw new IllegalArgumentException(
                    "PKCS#1 is for RSA keys, not " + rsaKey.getAlgorithm());
        }
        try {
            byte[] der = PrivateKeyInfo.getInstance(rsaKey.getEncoded()).parsePrivateKey()
                    .toASN1Primitive().getEncoded();
            return PemText.encode("RSA PRIVATE KEY", der);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The EC key pair as a SEC1 {@code EC PRIVATE KEY} PEM block naming its curve. */
    public static String sec1Pem(KeyPair ecPair) {
        return PemText.encode("EC PRIVATE KEY", sec1Der(ecPair, true));
    }

    /**
     * The EC key pair as an {@code EC PARAMETERS} block followed by an {@code EC PRIVATE KEY}
     * that does not name its curve itself, so only the parameters block says which curve it is.
     */
    public static String sec1PemWithParametersBlock(KeyPair ecPair) {
        try {
            byte[] params = PrivateKeyInfo.getInstance(ecPair.getPrivate().getEncoded())
                    .getPrivateKeyAlgorithm().getParameters().toASN1Primitive().getEncoded();
            return PemText.encode("EC PARAMETERS", params)
                    + PemText.encode("EC PRIVATE KEY", sec1Der(ecPair, false));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sec1Der(KeyPair ecPair, boolean withCurve) {
        if (!(ecPair.getPrivate() instanceof ECPrivateKey)) {
            throw new IllegalArgumentException("SEC1 is for EC keys, not "
                    + ecPair.getPrivate().getAlgorithm());
        }
        ECPrivateKey ec = (ECPrivateKey) ecPair.getPrivate();
        try {
            var curve = PrivateKeyInfo.getInstance(ec.getEncoded()).getPrivateKeyAlgorithm()
                    .getParameters();
            DERBitString publicKey = new DERBitString(SubjectPublicKeyInfo.getInstance(
                    ecPair.getPublic().getEncoded()).getPublicKeyData().getOctets());
            return new org.bouncycastle.asn1.sec.ECPrivateKey(
                    ec.getParams().getOrder().bitLength(), ec.getS(), publicKey,
                    withCurve ? curve : null).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The key as an {@code ENCRYPTED PRIVATE KEY} PEM block: PKCS#8 with PBES2, PBKDF2 with
     * HMAC-SHA256 and AES-256-CBC, as {@code openssl pkcs8 -topk8 -v2 aes256} writes it.
     */
    public static String encryptedPkcs8Pem(PrivateKey key, char[] password) {
        try {
            OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(
                    JcaPKCS8Generator.AES_256_CBC)
                    .setPRF(JcaPKCS8Generator.PRF_HMACSHA256)
                    .setIterationCount(2048)
                    .setProvider(Bc.provider())
                    .setPassword(password)
                    .build();
            PemObject pem = new JcaPKCS8Generator(key, encryptor).generate();
            StringWriter out = new StringWriter();
            try (PemWriter writer = new PemWriter(out)) {
                writer.writeObject(pem);
            }
            return out.toString();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
