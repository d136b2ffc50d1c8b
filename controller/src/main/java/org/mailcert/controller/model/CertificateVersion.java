package org.mailcert.controller.model;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * One version of a named certificate: its chain, leaf first. The private key lives apart, sealed
 * in the store, and is read only through {@code Store.privateKey}.
 *
 * @param revision store revision at which this version was written
 */
public record CertificateVersion(
        String name,
        int version,
        List<X509Certificate> chain,
        CertificateSource source,
        Instant created,
        long revision) {

    public CertificateVersion {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate version needs at least its leaf");
        }
        chain = List.copyOf(chain);
    }

    /** The end-entity certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }
}
