package org.mailcert.common.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.mailcert.common.pki.BadMaterialException.Reason;

/**
 * Decodes private keys from PKCS#8 (plain or encrypted), PKCS#1 (RSA) and SEC1 (EC) into JDK key
 * objects. Messages name the encoding, never the key.
 */
final class PrivateKeys {
    private PrivateKeys() {}

    /** Decodes an unencrypted PKCS#8 PrivateKeyInfo. */
    static PrivateKey fromPkcs8(byte[] der) throws BadMaterialException {
        PrivateKeyInfo info;
        try {
            info = PrivateKeyInfo.getInstance(der);
        } catch (RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED, "the private key is not valid PKCS#8");
        }
        if (info == null) {
            throw new BadMaterialException(Reason.MALFORMED, "the private key is not valid PKCS#8");
        }
        String algorithm = KeyAlgorithms.jdkName(info.getPrivateKeyAlgorithm());
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the " + algorithm + " private key does not decode (corrupt PKCS#8)");
        }
    }

    /** Decrypts and decodes a PKCS#8 EncryptedPrivateKeyInfo (PBES2 or PKCS#12 PBE schemes). */
    static PrivateKey fromEncryptedPkcs8(byte[] der, char[] password) throws BadMaterialException {
        if (password == null || password.length == 0) {
            throw new BadMaterialException(Reason.PASSWORD_REQUIRED,
                    "the private key is encrypted (ENCRYPTED PRIVATE KEY); give its password");
        }
        PKCS8EncryptedPrivateKeyInfo encrypted;
        try {
            encrypted = new PKCS8EncryptedPrivateKeyInfo(der);
        } catch (IOException | RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the encrypted private key is not valid PKCS#8");
        }
        PrivateKeyInfo info;
        try {
            InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(Bc.provider()).build(password);
            info = encrypted.decryptPrivateKeyInfo(decryptor);
        } catch (OperatorCreationException e) {
            throw unsupportedEncryption();
        } catch (PKCSException e) {
            if (e.getCause() instanceof OperatorCreationException) {
                throw unsupportedEncryption();
            }
            throw new BadMaterialException(Reason.WRONG_PASSWORD,
                    "the private key's password is wrong (or the encrypted key is corrupt)");
        } catch (RuntimeException e) {
            throw new BadMaterialException(Reason.WRONG_PASSWORD,
                    "the private key's password is wrong (or the encrypted key is corrupt)");
        }
        try {
            return fromPkcs8(info.getEncoded());
        } catch (IOException e) {
            throw new BadMaterialException(Reason.MALFORMED, "the decrypted key does not encode");
        }
    }

    /** Decodes a PKCS#1 RSAPrivateKey ("RSA PRIVATE KEY"). */
    static PrivateKey fromPkcs1(byte[] der) throws BadMaterialException {
        try {
            var rsa = org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(der);
            var algorithm = new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                    DERNull.INSTANCE);
            return fromPkcs8(new PrivateKeyInfo(algorithm, rsa).getEncoded());
        } catch (IOException | RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the RSA PRIVATE KEY block is not a valid PKCS#1 key");
        }
    }

    /**
     * Decodes a SEC1 ECPrivateKey ("EC PRIVATE KEY").
     *
     * @param ecParameters the content of a preceding "EC PARAMETERS" block, used when the key does
     *     not name its curve itself; may be null
     */
    static PrivateKey fromSec1(byte[] der, byte[] ecParameters) throws BadMaterialException {
        ECPrivateKey ec;
        try {
            ec = ECPrivateKey.getInstance(der);
        } catch (RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the EC PRIVATE KEY block is not a valid SEC1 key");
        }
        ASN1Encodable params = ec.getParametersObject();
        if (params == null && ecParameters != null) {
            try {
                params = ASN1Primitive.fromByteArray(ecParameters);
            } catch (IOException | RuntimeException e) {
                throw new BadMaterialException(Reason.MALFORMED,
                        "the EC PARAMETERS block does not decode");
            }
        }
        if (params == null) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the EC PRIVATE KEY does not name its curve and no EC PARAMETERS precede it");
        }
        if (!(params instanceof ASN1ObjectIdentifier)) {
            throw new BadMaterialException(Reason.UNSUPPORTED_KEY, "the EC key uses explicit curve"
                    + " parameters; use a named curve (openssl ec -param_enc named_curve)");
        }
        var algorithm = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, params);
        try {
            return fromPkcs8(new PrivateKeyInfo(algorithm, ec).getEncoded());
        } catch (IOException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the EC PRIVATE KEY block is not a valid SEC1 key");
        }
    }

    private static BadMaterialException unsupportedEncryption() {
        return new BadMaterialException(Reason.UNSUPPORTED_KEY, "the private key is encrypted with"
                + " a scheme that is not supported; re-encrypt it with"
                + " 'openssl pkcs8 -topk8 -v2 aes256'");
    }
}
