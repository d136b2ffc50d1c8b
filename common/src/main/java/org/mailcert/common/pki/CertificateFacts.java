package org.mailcert.common.pki;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.mailcert.common.names.DnsNames;

/**
 * What a certificate says about itself, in plain values for display, storage and checks.
 *
 * @param subject the subject DN (RFC 2253)
 * @param issuer the issuer DN (RFC 2253)
 * @param dnsNames the DNS subject alternative names, lower case, in certificate order
 * @param ipAddresses the IP address subject alternative names, as the JDK writes them
 * @param notBefore start of validity
 * @param notAfter end of validity (inclusive)
 * @param keyType "RSA", "EC", "Ed25519" or "Ed448" (other algorithms as the JDK names them)
 * @param keyBits the RSA modulus length or the EC field size (256 for P-256, 255 for Ed25519)
 * @param curve the EC curve ("P-256", "P-384", "P-521", or a SEC name), or "" for other keys
 * @param sha256 lower-case hex SHA-256 of the certificate's DER encoding
 * @param selfSigned whether subject equals issuer and the signature verifies with its own key
 * @param serialHex the serial number as lower-case hex of even length
 */
public record CertificateFacts(
        String subject,
        String issuer,
        List<String> dnsNames,
        List<String> ipAddresses,
        Instant notBefore,
        Instant notAfter,
        String keyType,
        int keyBits,
        String curve,
        String sha256,
        boolean selfSigned,
        String serialHex) {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    /** Copies the lists and refuses nulls. */
    public CertificateFacts {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(issuer, "issuer");
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(curve, "curve");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(serialHex, "serialHex");
    }

    /** Reads the facts of a certificate. */
    public static CertificateFacts of(X509Certificate cert) {
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == SAN_DNS) {
                        dns.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                    } else if (type == SAN_IP) {
                        ips.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // a certificate with an unreadable SAN extension simply has no names we can use
        }
        PublicKey key = cert.getPublicKey();
        return new CertificateFacts(
                cert.getSubjectX500Principal().getName(X500Principal.RFC2253),
                cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
                dns,
                ips,
                cert.getNotBefore().toInstant(),
                cert.getNotAfter().toInstant(),
                keyType(key),
                keyBits(key),
                curve(key),
                Fingerprints.sha256Hex(cert),
                selfSigned(cert),
                serialHex(cert));
    }

    /** Tells whether the certificate has expired at the instant (after its last valid second). */
    public boolean expiredAt(Instant at) {
        return at.isAfter(notAfter);
    }

    /** Tells whether the certificate is not yet valid at the instant. */
    public boolean notYetValidAt(Instant at) {
        return at.isBefore(notBefore);
    }

    /**
     * The names to show for the certificate: its DNS names, or its subject CN when it has none.
     * For deciding what it is valid for, use {@link #covers}.
     */
    public List<String> names() {
        if (!dnsNames.isEmpty()) {
            return dnsNames;
        }
        String cn = commonName();
        return cn.isEmpty() ? List.of() : List.of(cn);
    }

    /**
     * Tells whether the certificate is valid for the host name, by its DNS names (RFC 6125); the
     * subject CN counts only when the certificate has no DNS or IP names at all.
     */
    public boolean covers(String hostname) {
        if (!dnsNames.isEmpty() || !ipAddresses.isEmpty()) {
            return DnsNames.anyCovers(dnsNames, hostname);
        }
        String cn = commonName();
        return !cn.isEmpty() && DnsNames.covers(cn, hostname);
    }

    /** The subject's (last) CN, lower case, or "" when there is none. */
    public String commonName() {
        try {
            List<Rdn> rdns = new LdapName(subject).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdns.get(i).getValue()).toLowerCase(Locale.ROOT);
                }
            }
        } catch (InvalidNameException | IllegalArgumentException e) {
            return "";
        }
        return "";
    }

    private static String keyType(PublicKey key) {
        if (key instanceof EdECPublicKey) {
            return ((EdECPublicKey) key).getParams().getName();
        }
        return key.getAlgorithm();
    }

    private static int keyBits(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return ((RSAPublicKey) key).getModulus().bitLength();
        }
        if (key instanceof ECPublicKey) {
            return ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
        }
        if (key instanceof EdECPublicKey) {
            return "Ed448".equals(((EdECPublicKey) key).getParams().getName()) ? 448 : 255;
        }
        return 0;
    }

    private static String curve(PublicKey key) {
        if (!(key instanceof ECPublicKey)) {
            return "";
        }
        try {
            var params = SubjectPublicKeyInfo.getInstance(key.getEncoded())
                    .getAlgorithm().getParameters();
            if (params instanceof ASN1ObjectIdentifier) {
                return KeyAlgorithms.curveName((ASN1ObjectIdentifier) params);
            }
            return "explicit";
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static boolean selfSigned(X509Certificate cert) {
        if (!cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
            return false;
        }
        try {
            cert.verify(cert.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static String serialHex(X509Certificate cert) {
        String hex = cert.getSerialNumber().abs().toString(16);
        hex = hex.length() % 2 == 1 ? "0" + hex : hex;
        return cert.getSerialNumber().signum() < 0 ? "-" + hex : hex;
    }
}
