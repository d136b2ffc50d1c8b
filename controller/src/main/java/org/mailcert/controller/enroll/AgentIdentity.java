package org.mailcert.controller.enroll;

import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * How an agent's client certificate names its host: a URI SAN {@code mailcert://host/<fqdn>}.
 *
 * @param host   the host FQDN the certificate was issued for
 * @param serial the certificate's serial number, lower-case hex
 */
public record AgentIdentity(String host, String serial) {
    private static final String PREFIX = "mailcert://host/";

    /** The URI SAN for a host. */
    public static URI uri(String fqdn) {
        return URI.create(PREFIX + fqdn);
    }

    /** The identity a client certificate carries, if it carries one. */
    public static Optional<AgentIdentity> of(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return Optional.empty();
            }
            for (List<?> san : sans) {
                // 6 = uniformResourceIdentifier
                if (Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String s && s.startsWith(PREFIX)) {
                    return Optional.of(new AgentIdentity(s.substring(PREFIX.length()), serialHex(cert)));
                }
            }
            return Optional.empty();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
    }

    /** A certificate's serial as lower-case hex. */
    public static String serialHex(X509Certificate cert) {
        return cert.getSerialNumber().toString(16);
    }
}
