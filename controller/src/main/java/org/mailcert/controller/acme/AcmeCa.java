package org.mailcert.controller.acme;

import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An ACME certificate authority as the controller uses it: register an account, order a
 * certificate proving each name by DNS-01, ask when to renew (ARI, RFC 9773). The one
 * implementation, {@link Acme4jCa}, is the only code that touches acme4j; the rest of the
 * controller (issuers, requests, renewal) works against this interface and tests it with a fake.
 * Calls block; each is bounded by the settings' timeouts.
 */
public interface AcmeCa {
    /**
     * Where and how to reach one CA.
     *
     * @param directory the ACME directory URL
     * @param directoryCaPem PEM roots to trust for the directory's TLS besides the JDK's (Pebble,
     *     step-ca); empty for none
     * @param email the account's contact; empty for none
     * @param eab External Account Binding, for CAs that need it
     */
    record Settings(URI directory, String directoryCaPem, String email, Optional<Eab> eab) {
    }

    /** External Account Binding: the CA's key id and its HMAC key (a secret; never logged). */
    record Eab(String keyId, byte[] hmacKey) {
        @Override
        public String toString() {
            return "Eab[" + keyId + "]";
        }
    }

    /**
     * What the CA offers, read from its directory.
     *
     * @param profiles the certificate profiles it offers (Let's Encrypt: classic, tlsserver, shortlived)
     * @param ari whether it serves renewalInfo
     * @param termsOfService its terms, if it has any
     */
    record Capabilities(Set<String> profiles, boolean ari, Optional<URI> termsOfService) {
    }

    /** A registered account: its URL at the CA and what the CA offers. */
    record Account(URI url, Capabilities capabilities) {
    }

    /**
     * One order.
     *
     * @param names the identifiers, wildcards included ({@code *.example.com}, {@code example.com})
     * @param certificateKey the key the certificate is for (the CSR is made and signed with it)
     * @param profile the profile to ask for; empty for the CA's default. Refused with {@link
     *     AcmeException.Kind#CONFIGURATION} if the CA does not offer it.
     * @param replaces the certificate this one renews, named to the CA when it supports ARI
     */
    record Order(List<String> names, KeyPair certificateKey, Optional<String> profile,
            Optional<X509Certificate> replaces) {
    }

    /** The issued certificate chain, leaf first, and the order's URL. */
    record Issued(List<X509Certificate> chain, URI orderUrl) {
    }

    /** The CA's suggested renewal window (ARI), and when to ask again. */
    record RenewalWindow(Instant start, Instant end, Optional<Instant> retryAfter) {
    }

    /** Registers (or finds) the account of {@code accountKey}, agreeing to the terms of service. */
    Account register(Settings settings, KeyPair accountKey) throws AcmeException;

    /**
     * Orders a certificate: authorizes every name by DNS-01 through {@code solver} (checking the
     * record is visible at the zone's authoritative servers before asking the CA to validate, with a
     * bounded wait, and cleaning up afterwards, also on failure), finalizes with a CSR, downloads
     * the chain.
     */
    Issued order(Settings settings, KeyPair accountKey, Order order, DnsSolver solver) throws AcmeException;

    /** The CA's renewal window for {@code certificate}; empty when the CA has no ARI. */
    Optional<RenewalWindow> renewalInfo(Settings settings, X509Certificate certificate) throws AcmeException;
}
