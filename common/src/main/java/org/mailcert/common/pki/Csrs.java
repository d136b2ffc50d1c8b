package org.mailcert.common.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.mailcert.common.pki.BadMaterialException.Reason;

/** PKCS#10 certificate signing requests: making one, and taking the key out of a verified one. */
public final class Csrs {
    private Csrs() {}

    /** Creates a DER-encoded PKCS#10 request with subject CN, signed by the key pair. */
    public static byte[] create(KeyPair keyPair, String commonName) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName)
                .build();
        try {
            ContentSigner signer = new JcaContentSignerBuilder(
                    SignatureAlgorithms.forKey(keyPair.getPrivate())).build(keyPair.getPrivate());
            return new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
                    .build(signer).getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot sign a CSR with a "
                    + keyPair.getPrivate().getAlgorithm() + " key", e);
        }
    }

    /**
     * Returns the public key of a DER-encoded PKCS#10 request after checking that the request is
     * signed by that key (proof of possession).
     *
     * @throws BadMaterialException MALFORMED if it does not parse or its signature does not verify,
     *     UNSUPPORTED_KEY for a key or signature algorithm the JDK does not know
     */
    public static PublicKey verifiedPublicKey(byte[] csrDer) throws BadMaterialException {
        PKCS10CertificationRequest request;
        try {
            request = new PKCS10CertificationRequest(csrDer);
        } catch (IOException | RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "not a PKCS#10 certificate request (DER expected)");
        }
        PublicKey key = publicKey(request.getSubjectPublicKeyInfo());
        boolean valid;
        try {
            ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder().build(key);
            valid = request.isSignatureValid(verifier);
        } catch (OperatorCreationException e) {
            throw new BadMaterialException(Reason.UNSUPPORTED_KEY,
                    "the CSR's signature algorithm is not supported", e);
        } catch (PKCSException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the CSR's signature does not verify; the request is corrupt or was altered");
        }
        return key;
    }

    private static PublicKey publicKey(SubjectPublicKeyInfo info) throws BadMaterialException {
        String algorithm = KeyAlgorithms.jdkName(info.getAlgorithm());
        try {
            return KeyFactory.getInstance(algorithm)
                    .generatePublic(new X509EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new BadMaterialException(Reason.MALFORMED,
                    "the CSR's " + algorithm + " public key does not decode", e);
        }
    }
}
