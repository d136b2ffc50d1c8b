package org.mailcert.controller.store;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Keys and self-signed certificates for store tests; keys are generated once per JVM to stay fast. */
final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(1000);
    private static volatile KeyPair rsa;
    private static volatile KeyPair ec;
    private static volatile KeyPair ec2;

    private TestPki() {
    }

    /** A 2048-bit RSA key pair, the same one every call. */
    static synchronized KeyPair rsa() {
        if (rsa == null) {
            rsa = generate("RSA", 2048);
        }
        return rsa;
    }

    /** A P-256 key pair, the same one every call. */
    static synchronized KeyPair ec() {
        if (ec == null) {
            ec = generateEc();
        }
        return ec;
    }

    /** Another P-256 key pair, different from {@link #ec()}. */
    static synchronized KeyPair ec2() {
        if (ec2 == null) {
            ec2 = generateEc();
        }
        return ec2;
    }

    /** A self-signed certificate for {@code cn}, valid for a year. */
    static X509Certificate selfSigned(KeyPair keys, String cn) {
        Instant notBefore = Instant.parse("2026-01-01T00:00:00Z");
        X500Name name = new X500Name("CN=" + cn);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore),
                Date.from(notBefore.plus(365, ChronoUnit.DAYS)), name, keys.getPublic());
        String algorithm = keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generateEc() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
