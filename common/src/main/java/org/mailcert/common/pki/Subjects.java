package org.mailcert.common.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.mailcert.common.names.DnsNames;

/** Short, display-safe descriptions of certificates for messages. */
final class Subjects {
    private Subjects() {}

    /** The subject DN (RFC 2253), or "SAN x" when the subject is empty; escaped for display. */
    static String describe(X509Certificate cert) {
        String dn = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
        if (!dn.isEmpty()) {
            return DnsNames.displaySafe(dn);
        }
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null && !sans.isEmpty()) {
                return "SAN " + DnsNames.displaySafe(String.valueOf(sans.iterator().next().get(1)));
            }
        } catch (CertificateParsingException e) {
            // fall through to the serial
        }
        return "serial " + cert.getSerialNumber().toString(16);
    }

    /** The issuer DN (RFC 2253), escaped for display. */
    static String issuer(X509Certificate cert) {
        return DnsNames.displaySafe(cert.getIssuerX500Principal().getName(X500Principal.RFC2253));
    }
}
