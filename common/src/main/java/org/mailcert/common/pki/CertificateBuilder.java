package org.mailcert.common.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds and signs one X.509 v3 certificate: the one place in mailcert that makes certificates
 * (the CA, and test support in this package). Signing uses the JDK's providers.
 */
final class CertificateBuilder {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PublicKey subjectKey;
    private X500Name subject = new X500Name(new RDN[0]);
    private Instant notBefore;
    private Instant notAfter;
    private Integer pathLength;
    private boolean ca;
    private final List<KeyPurposeId> purposes = new ArrayList<>();
    private final List<GeneralName> altNames = new ArrayList<>();
    private BigInteger serial;

    CertificateBuilder(PublicKey subjectKey) {
        this.subjectKey = Objects.requireNonNull(subjectKey, "subjectKey");
    }

    /** Sets the subject to a single CN (escaped properly, whatever it holds). */
    CertificateBuilder commonName(String cn) {
        this.subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
        return this;
    }

    CertificateBuilder validity(Instant from, Instant until) {
        this.notBefore = from;
        this.notAfter = until;
        return this;
    }

    /** Makes it a CA certificate; a null path length means no limit. */
    CertificateBuilder ca(Integer pathLength) {
        this.ca = true;
        this.pathLength = pathLength;
        return this;
    }

    CertificateBuilder purpose(KeyPurposeId purpose) {
        purposes.add(purpose);
        return this;
    }

    CertificateBuilder dnsName(String name) {
        altNames.add(new GeneralName(GeneralName.dNSName, name));
        return this;
    }

    /** Adds an IP address SAN. @throws IllegalArgumentException if it is not an IP literal */
    CertificateBuilder ipAddress(String address) {
        altNames.add(new GeneralName(GeneralName.iPAddress, address));
        return this;
    }

    CertificateBuilder uri(URI uri) {
        altNames.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri.toString()));
        return this;
    }

    CertificateBuilder serial(BigInteger serial) {
        this.serial = serial;
        return this;
    }

    /** Signs the certificate with its own key (a root or a self-signed leaf). */
    X509Certificate selfSign(PrivateKey key) {
        return sign(null, key);
    }

    /**
     * Signs the certificate.
     *
     * @param issuer the issuing CA certificate, or null for a self-signed one
     * @param signingKey the issuer's private key
     */
    X509Certificate sign(X509Certificate issuer, PrivateKey signingKey) {
        Objects.requireNonNull(notBefore, "validity");
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X500Name issuerName = issuer == null ? subject
                    : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    serial != null ? serial : randomSerial(), Date.from(notBefore),
                    Date.from(notAfter), subject, subjectKey);
            builder.addExtension(Extension.basicConstraints, true, ca
                    ? (pathLength == null ? new BasicConstraints(true)
                            : new BasicConstraints(pathLength))
                    : new BasicConstraints(false));
            boolean rsa = "RSA".equals(subjectKey.getAlgorithm());
            int usage = ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | (rsa ? KeyUsage.keyEncipherment : 0);
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(subjectKey));
            if (issuer != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        authorityKeyIdentifier(utils, issuer));
            }
            if (!purposes.isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])));
            }
            if (!altNames.isEmpty()) {
                boolean critical = subject.getRDNs().length == 0;
                builder.addExtension(Extension.subjectAlternativeName, critical,
                        new GeneralNames(altNames.toArray(new GeneralName[0])));
            }
            var signer = new JcaContentSignerBuilder(SignatureAlgorithms.forKey(signingKey))
                    .build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | CertificateException | NoSuchAlgorithmException
                | CertIOException e) {
            throw new IllegalStateException("cannot sign a certificate with a "
                    + signingKey.getAlgorithm() + " key", e);
        }
    }

    /** The issuer's own SKI as the AKI, so they match however it was made; else a key hash. */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils utils,
            X509Certificate issuer) {
        byte[] ski = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski != null) {
            try {
                ASN1OctetString keyId = ASN1OctetString.getInstance(
                        JcaX509ExtensionUtils.parseExtensionValue(ski));
                return new AuthorityKeyIdentifier(keyId.getOctets());
            } catch (IOException | RuntimeException e) {
                // fall back to hashing the key
            }
        }
        return utils.createAuthorityKeyIdentifier(issuer.getPublicKey());
    }

    /** A random positive, non-zero serial of up to 128 bits (RFC 5280 allows up to 20 octets). */
    static BigInteger randomSerial() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }
}
