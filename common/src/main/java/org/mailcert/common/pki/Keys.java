package org.mailcert.common.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.pki.BadMaterialException.Reason;

/** Private keys: whether one belongs to a certificate, and making new ones. */
public final class Keys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {}

    /** The key types mailcert generates. */
    public enum KeyType {
        /** ECDSA on P-256. */
        EC256("EC", 256),
        /** ECDSA on P-384. */
        EC384("EC", 384),
        /** RSA with a 2048-bit modulus. */
        RSA2048("RSA", 2048),
        /** RSA with a 3072-bit modulus. */
        RSA3072("RSA", 3072),
        /** RSA with a 4096-bit modulus. */
        RSA4096("RSA", 4096);

        private final String algorithm;
        private final int bits;

        KeyType(String algorithm, int bits) {
            this.algorithm = algorithm;
            this.bits = bits;
        }

        /** The JCA algorithm name, "EC" or "RSA". */
        public String algorithm() {
            return algorithm;
        }

        /** The key size in bits: the curve's field size or the RSA modulus length. */
        public int bits() {
            return bits;
        }

        /** The lower-case name used in configuration, such as "ec256". */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Parses a configured key type such as "ec256" or "RSA2048" (case-insensitive).
         *
         * @throws IllegalArgumentException naming the allowed values when the input is none of them
         */
        public static KeyType parse(String s) {
            if (s != null) {
                for (KeyType t : values()) {
                    if (t.name().equalsIgnoreCase(s.strip())) {
                        return t;
                    }
                }
            }
            throw new IllegalArgumentException("unknown key type \""
                    + DnsNames.displaySafe(s) + "\"; allowed: "
                    + Arrays.stream(values()).map(KeyType::id).collect(Collectors.joining(", ")));
        }
    }

    /**
     * Tells whether the private key belongs to the certificate's public key, by signing a random
     * challenge and verifying it with the certificate (RSA, EC, Ed25519, Ed448).
     */
    public static boolean matches(PrivateKey key, X509Certificate cert) {
        if (key == null || cert == null) {
            return false;
        }
        return matches(key, cert.getPublicKey());
    }

    /** Tells whether the private key and the public key form a pair (see {@link #matches}). */
    public static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (key == null || publicKey == null || !sameFamily(key.getAlgorithm(),
                publicKey.getAlgorithm())) {
            return false;
        }
        if (key instanceof RSAPrivateCrtKey rsa && publicKey instanceof RSAPublicKey pub) {
            return rsaPair(rsa, pub);
        }
        if (key instanceof ECPrivateKey ec && publicKey instanceof ECPublicKey pub) {
            Boolean pair = ecPair(ec, pub);
            if (pair != null) {
                return pair;
            }
        }
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            String algorithm = SignatureAlgorithms.forKey(key);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * An RSA key in CRT form belongs to the public key when it has the same modulus and exponent and
     * its CRT values are consistent (p·q = n, e·dP ≡ 1 mod p−1, e·dQ ≡ 1 mod q−1, q·qInv ≡ 1 mod
     * p): exactly what a CRT signature uses, without a signature (a few multiplications instead of
     * a modular exponentiation with a 2,048-bit exponent).
     */
    private static boolean rsaPair(RSAPrivateCrtKey k, RSAPublicKey pub) {
        BigInteger n = pub.getModulus();
        BigInteger e = pub.getPublicExponent();
        BigInteger p = k.getPrimeP();
        BigInteger q = k.getPrimeQ();
        if (p == null || q == null || k.getPrimeExponentP() == null || k.getPrimeExponentQ() == null
                || k.getCrtCoefficient() == null || p.signum() <= 0 || q.signum() <= 0) {
            return false;
        }
        return k.getModulus().equals(n) && e.equals(k.getPublicExponent()) && p.multiply(q).equals(n)
                && e.multiply(k.getPrimeExponentP()).mod(p.subtract(BigInteger.ONE)).equals(BigInteger.ONE)
                && e.multiply(k.getPrimeExponentQ()).mod(q.subtract(BigInteger.ONE)).equals(BigInteger.ONE)
                && q.multiply(k.getCrtCoefficient()).mod(p).equals(BigInteger.ONE);
    }

    /**
     * An EC key belongs to the public key when both are on the same curve and the public point is
     * the private scalar times the generator: one fixed-point multiplication (Bouncy Castle)
     * instead of an ECDSA signature and its verification, about a tenth of the time. Null when the
     * curve cannot be converted, so that the caller falls back to a signature.
     */
    private static Boolean ecPair(ECPrivateKey k, ECPublicKey pub) {
        try {
            if (!sameCurve(k.getParams(), pub.getParams())) {
                return false;
            }
            ECParameterSpec spec = EC5Util.convertSpec(pub.getParams());
            BigInteger s = k.getS();
            if (s.signum() <= 0 || s.compareTo(spec.getN()) >= 0) {
                return false;
            }
            ECPoint q = new FixedPointCombMultiplier().multiply(spec.getG(), s).normalize();
            return q.getAffineXCoord().toBigInteger().equals(pub.getW().getAffineX())
                    && q.getAffineYCoord().toBigInteger().equals(pub.getW().getAffineY());
        } catch (RuntimeException e) {
            return null; // a curve Bouncy Castle cannot convert: the signature test below decides
        }
    }

    private static boolean sameCurve(java.security.spec.ECParameterSpec a, java.security.spec.ECParameterSpec b) {
        return a.getCurve().equals(b.getCurve()) && a.getGenerator().equals(b.getGenerator())
                && a.getOrder().equals(b.getOrder()) && a.getCofactor() == b.getCofactor();
    }

    private static boolean sameFamily(String a, String b) {
        return a.equals(b) || (isEdDsa(a) && isEdDsa(b));
    }

    private static boolean isEdDsa(String algorithm) {
        return algorithm.equals("EdDSA") || algorithm.equals("Ed25519")
                || algorithm.equals("Ed448");
    }

    /**
     * Refuses a private key that does not belong to the certificate.
     *
     * @throws BadMaterialException KEY_MISMATCH, naming the certificate
     */
    public static void requireMatch(PrivateKey key, X509Certificate cert)
            throws BadMaterialException {
        if (!matches(key, cert)) {
            throw new BadMaterialException(Reason.KEY_MISMATCH, "the private key does not match"
                    + " the certificate's public key (leaf " + Subjects.describe(cert) + ")");
        }
    }

    /** Generates a new key pair of the given type with the JDK's providers. */
    public static KeyPair generate(KeyType type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type.algorithm());
            if (type.algorithm().equals("EC")) {
                generator.initialize(new ECGenParameterSpec("secp" + type.bits() + "r1"), RANDOM);
            } else {
                generator.initialize(type.bits(), RANDOM);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + type.id() + " keys", e);
        }
    }
}
