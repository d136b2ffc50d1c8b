package org.mailcert.controller.certs;

import java.time.Instant;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.TrustResult;
import org.mailcert.controller.model.CertificateVersion;

/**
 * What the controller thinks of one certificate version at one moment: its facts and whether
 * mail clients would accept it.
 */
public record Assessment(CertificateVersion version, CertificateFacts facts, TrustResult trust, Instant at) {

    /** Whether the leaf has expired at the assessment time. */
    public boolean expired() {
        return facts.expiredAt(at);
    }

    /** Whether the certificate covers {@code name} (RFC 6125, SANs; CN only without SANs). */
    public boolean covers(String name) {
        return DnsNames.anyCovers(facts.names(), name);
    }

    /** Trusted, in its validity period and covering {@code name}: clients will not warn. */
    public boolean validFor(String name) {
        return trust.trusted() && !expired() && !facts.notYetValidAt(at) && covers(name);
    }

    /** A short phrase for why clients would warn about {@code name}, or empty if they would not. */
    public String problemFor(String name) {
        if (!covers(name)) {
            return "certificate " + version.name() + " does not cover " + name;
        }
        if (expired()) {
            return "certificate " + version.name() + " expired on " + facts.notAfter();
        }
        if (facts.notYetValidAt(at)) {
            return "certificate " + version.name() + " is not valid before " + facts.notBefore();
        }
        if (facts.selfSigned()) {
            return "certificate " + version.name() + " is self-signed";
        }
        if (!trust.trusted()) {
            return "certificate " + version.name() + " is not trusted: " + trust.problem();
        }
        return "";
    }
}
