package org.mailcert.controller.store;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
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
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, masterKey.secretKey(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return SealedKey.newBuilder()
                    .setFormat(FORMAT)
                    .setNonce(ByteString.copyFrom(nonce))
                    .setCiphertext(ByteString.copyFrom(sealed))
                    .setAlgorithm(algorithm)
                    .build();
        } catch (GeneralSecurityException e) {
            // Every Java runtime has AES-GCM; this means a broken runtime, not bad input.
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
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
        if (sealed.getFormat() != FORMAT) {
            throw internal("cannot decrypt " + what + ": unknown sealed key format " + sealed.getFormat()
                    + " (written by a newer mailcert?)", null);
        }
        if (sealed.getNonce().size() != NONCE_BYTES || sealed.getAlgorithm().isEmpty()) {
            throw internal("cannot decrypt " + what + ": the sealed key record is damaged", null);
        }
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, masterKey.secretKey(),
                    new GCMParameterSpec(TAG_BITS, sealed.getNonce().toByteArray()));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            plain = cipher.doFinal(sealed.getCiphertext().toByteArray());
        } catch (AEADBadTagException e) {
            throw internal("cannot decrypt " + what + ": wrong master key or tampered store", e);
        } catch (GeneralSecurityException e) {
            throw internal("cannot decrypt " + what + ": " + e.getMessage(), e);
        }
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
