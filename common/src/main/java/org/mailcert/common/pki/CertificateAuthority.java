package org.mailcert.common.pki;

import java.net.URI;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;

/**
 * The controller's own small certificate authority: it issues server certificates for the
 * controller's endpoints and client certificates for agents. Holds its private key; immutable and
 * thread-safe; its {@code toString} names only the certificate.
 */
public final class CertificateAuthority {
    /** How far back issued certificates start, to absorb clock skew between machines. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Clock clock;

    /**
     * Wraps an existing CA certificate and its key.
     *
     * @throws IllegalArgumentException if the certificate is not a CA or the key is not its own
     */
    public CertificateAuthority(X509Certificate cert, PrivateKey key, Clock clock) {
        this.certificate = Objects.requireNonNull(cert, "cert");
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (cert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("certificate " + Subjects.describe(cert)
                    + " is not a CA certificate (basicConstraints CA:true is missing)");
        }
        if (!Keys.matches(key, cert)) {
            throw new IllegalArgumentException("the private key does not match the CA certificate "
                    + Subjects.describe(cert));
        }
    }

    /**
     * Creates a new CA: an EC P-256 key and a self-signed certificate with CA:true (critical, path
     * length 0), key usage keyCertSign and cRLSign, valid from five minutes ago for the duration.
     */
    public static CertificateAuthority create(String commonName, Duration validity, Clock clock) {
        requirePositive(validity);
        KeyPair pair = Keys.generate(Keys.KeyType.EC256);
        Instant now = clock.instant();
        X509Certificate cert = new CertificateBuilder(pair.getPublic())
                .commonName(commonName)
                .validity(now.minus(BACKDATE), now.plus(validity))
                .ca(0)
                .selfSign(pair.getPrivate());
        return new CertificateAuthority(cert, pair.getPrivate(), clock);
    }

    /** The CA's certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA's private key; never log it. */
    public PrivateKey key() {
        return key;
    }

    /**
     * Issues a TLS server certificate (EKU serverAuth) for the names, valid from five minutes ago
     * for the duration but never past the CA's own end; the CN is the first DNS name (or IP).
     *
     * @throws IllegalArgumentException if there is no name, a DNS name is invalid (see {@link
     *     DnsNames#pattern}) or an IP address is not a literal
     */
    public X509Certificate issueServer(PublicKey subjectKey, List<String> dnsNames,
            List<String> ipAddresses, Duration validity) {
        requirePositive(validity);
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs a DNS name or an IP");
        }
        CertificateBuilder builder = new CertificateBuilder(subjectKey)
                .purpose(KeyPurposeId.id_kp_serverAuth);
        String cn = null;
        for (String name : dnsNames) {
            String normal;
            try {
                normal = DnsNames.pattern(name);
            } catch (InvalidNameException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            builder.dnsName(normal);
            cn = cn == null ? normal : cn;
        }
        for (String ip : ipAddresses) {
            try {
                builder.ipAddress(ip);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + DnsNames.displaySafe(ip)
                        + "\" is not an IP address literal", e);
            }
            cn = cn == null ? ip : cn;
        }
        return issue(builder.commonName(cn), validity);
    }

    /**
     * Issues a TLS client certificate (EKU clientAuth) with the CN and URI SANs (such as an
     * agent's identity), valid from five minutes ago for the duration but never past the CA's end.
     */
    public X509Certificate issueClient(PublicKey subjectKey, String commonName, List<URI> uris,
            Duration validity) {
        requirePositive(validity);
        CertificateBuilder builder = new CertificateBuilder(subjectKey)
                .commonName(commonName)
                .purpose(KeyPurposeId.id_kp_clientAuth);
        for (URI uri : uris) {
            builder.uri(uri);
        }
        return issue(builder, validity);
    }

    private X509Certificate issue(CertificateBuilder builder, Duration validity) {
        Instant now = clock.instant();
        Instant end = now.plus(validity);
        Instant caEnd = certificate.getNotAfter().toInstant();
        return builder.validity(now.minus(BACKDATE), end.isAfter(caEnd) ? caEnd : end)
                .sign(certificate, key);
    }

    private static void requirePositive(Duration validity) {
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, not " + validity);
        }
    }

    /** Names the CA by its certificate's subject; never shows the key. */
    @Override
    public String toString() {
        return "CertificateAuthority[" + Subjects.describe(certificate) + "]";
    }
}
