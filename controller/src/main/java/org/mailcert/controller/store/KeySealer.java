package org.mailcert.controller.store;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.mailcert.controller.ControllerException;
import org.mailcert.proto.v1.SealedKey;

/**
 * Seals private keys with AES-256-GCM under the master key. The associated data names what a key
 * belongs to, so a sealed key copied to another record does not open. Thread-safe.
 */
final class KeySealer {
    /** The only format so far: AES-256-GCM, 96-bit nonce, 128-bit tag appended to the ciphertext. */
    static final int FORMAT = 1;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final MasterKey masterKey;
    private final SecureRandom random;

    KeySealer(MasterKey masterKey, SecureRandom random) {
        this.masterKey = masterKey;
        this.random = random;
    }

    /** The associated data of a certificate version's key. */
    static String certificateAad(String name, int version) {
        return "certificate:" + name + ":" + version;
    }

    /**
     * The algorithm marker of a sealed secret that is not a private key (an EAB HMAC key, a TSIG
     * secret): the ciphertext is the secret's bytes as given.
     */
    static final String RAW = "raw";
    /**
     * The algorithm marker prefix of a sealed key pair ({@code keypair/EC}): the ciphertext is the
     * int32 length of the PKCS#8 private key, that key, then the X.509 SubjectPublicKeyInfo. The JDK
     * cannot derive an EC public key from the private one, and ACME needs both.
     */
    static final String KEY_PAIR = "keypair/";

    /** The associated data of one of an issuer's secrets ({@code account}, {@code eab}, {@code tsig}). */
    static String issuerAad(String issuer, String secret) {
        return "issuer:" + issuer + ":" + secret;
    }

    /** The associated data of one of the controller's own keys. */
    static String controllerAad(String purpose) {
        return "controller:" + purpose;
    }

    /**
     * Encrypts {@code key}'s PKCS#8 encoding.
     *
     * @throws IllegalArgumentException if the key cannot be exported or its algorithm is unknown
     */
    SealedKey seal(PrivateKey key, String aad) {
        String algorithm = keyFactoryAlgorithm(key.getAlgorithm());
        try {
            KeyFactory.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("cannot store a private key of algorithm " + key.getAlgorithm()
                    + ": this Java runtime cannot read it back", e);
        }
        byte[] plain = key.getEncoded();
        if (plain == null || !"PKCS#8".equalsIgnoreCase(key.getFormat())) {
            throw new IllegalArgumentException("cannot store a private key that does not export as PKCS#8 (format "
                    + key.getFormat() + ")");
        }
        try {
            return encrypt(plain, aad, algorithm);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Encrypts raw secret bytes; the record's algorithm is {@link #RAW}. */
    SealedKey sealBytes(byte[] plain, String aad) {
        return encrypt(plain, aad, RAW);
    }

    /** Encrypts a key pair (see {@link #KEY_PAIR}). */
    SealedKey sealPair(KeyPair pair, String aad) {
        byte[] priv = pair.getPrivate().getEncoded();
        byte[] pub = pair.getPublic().getEncoded();
        if (priv == null || pub == null) {
            throw new IllegalArgumentException("cannot store a " + pair.getPublic().getAlgorithm()
                    + " key pair that does not export as PKCS#8 and X.509");
        }
        byte[] plain = java.nio.ByteBuffer.allocate(4 + priv.length + pub.length).putInt(priv.length).put(priv)
                .put(pub).array();
        try {
            return encrypt(plain, aad, KEY_PAIR + keyFactoryAlgorithm(pair.getPublic().getAlgorithm()));
        } finally {
            Arrays.fill(plain, (byte) 0);
            Arrays.fill(priv, (byte) 0);
        }
    }

    /** Decrypts a secret sealed with {@link #sealBytes}; the caller should clear it after use. */
    byte[] unsealBytes(SealedKey sealed, String aad, String what) throws ControllerException {
        if (!RAW.equals(sealed.getAlgorithm())) {
            throw internal("cannot decrypt " + what + ": it is not a raw secret record", null);
        }
        return decrypt(sealed, aad, what);
    }

    /** Decrypts a key pair sealed with {@link #sealPair}. */
    KeyPair unsealPair(SealedKey sealed, String aad, String what) throws ControllerException {
        if (!sealed.getAlgorithm().startsWith(KEY_PAIR)) {
            throw internal("cannot decrypt " + what + ": it is not a key pair record", null);
        }
        String algorithm = sealed.getAlgorithm().substring(KEY_PAIR.length());
        byte[] plain = decrypt(sealed, aad, what);
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(plain);
            int length = b.getInt();
            byte[] priv = new byte[length];
            b.get(priv);
            byte[] pub = new byte[b.remaining()];
            b.get(pub);
            KeyFactory factory = KeyFactory.getInstance(algorithm);
            KeyPair pair = new KeyPair(factory.generatePublic(new java.security.spec.X509EncodedKeySpec(pub)),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(priv)));
            Arrays.fill(priv, (byte) 0);
            return pair;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw internal("cannot decode " + what + " as a " + algorithm + " key pair", null);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private SealedKey encrypt(byte[] plain, String aad, String algorithm) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, masterKey.secretKey(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return SealedKey.newBuilder()
                    .setFormat(FORMAT)
                    .setNonce(ByteString.copyFrom(nonce))
                    .setCiphertext(ByteString.copyFrom(cipher.doFinal(plain)))
                    .setAlgorithm(algorithm)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
        }
    }

    private byte[] decrypt(SealedKey sealed, String aad, String what) throws ControllerException {
        if (sealed.getFormat() != FORMAT) {
            throw internal("cannot decrypt " + what + ": unknown sealed key format " + sealed.getFormat()
                    + " (written by a newer mailcert?)", null);
        }
        if (sealed.getNonce().size() != NONCE_BYTES || sealed.getAlgorithm().isEmpty()) {
            throw internal("cannot decrypt " + what + ": the sealed key record is damaged", null);
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, masterKey.secretKey(),
                    new GCMParameterSpec(TAG_BITS, sealed.getNonce().toByteArray()));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed.getCiphertext().toByteArray());
        } catch (AEADBadTagException e) {
            throw internal("cannot decrypt " + what + ": wrong master key or tampered store", e);
        } catch (GeneralSecurityException e) {
            throw internal("cannot decrypt " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts a sealed key; {@code what} names it in errors ("the private key of certificate x
     * version 3").
     *
     * @throws ControllerException INTERNAL if the master key or the associated data do not match,
     *     or the record is damaged
     */
    PrivateKey unseal(SealedKey sealed, String aad, String what) throws ControllerException {
        byte[] plain = decrypt(sealed, aad, what);
        try {
            return KeyFactory.getInstance(sealed.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(plain));
        } catch (GeneralSecurityException e) {
            // The message of a parse error could quote key material: leave it out.
            throw internal("cannot decode " + what + " as a " + sealed.getAlgorithm() + " PKCS#8 key", null);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Maps provider-specific algorithm names to ones the JDK's KeyFactory knows. */
    private static String keyFactoryAlgorithm(String algorithm) {
        return "ECDSA".equalsIgnoreCase(algorithm) ? "EC" : algorithm;
    }

    private static ControllerException internal(String message, Throwable cause) {
        return new ControllerException(ControllerException.Kind.INTERNAL, message, cause);
    }
}
