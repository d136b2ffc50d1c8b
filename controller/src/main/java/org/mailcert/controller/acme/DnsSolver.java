package org.mailcert.controller.acme;

/**
 * Proves control of a domain for ACME DNS-01: puts a TXT record where the CA looks and takes it
 * away afterwards. Implementations: {@link Rfc2136Solver} (dynamic update with TSIG, for BIND,
 * Knot, PowerDNS, Windows DNS) and {@link ExecHookSolver} (an admin's command, like certbot's
 * {@code --manual-auth-hook}). Both must be idempotent per record and must never log a secret.
 */
public interface DnsSolver {
    /**
     * One TXT record to present.
     *
     * @param domain the identifier being validated, without a wildcard ({@code example.com} for
     *     {@code *.example.com})
     * @param recordName the absolute record name, with the trailing dot: {@code
     *     _acme-challenge.example.com.}, or where a CNAME there points (delegation)
     * @param value the TXT value (the key authorization's digest, base64url)
     */
    record Record(String domain, String recordName, String value) {
    }

    /** Adds the record; returns once the solver's server accepted it. */
    void present(Record record) throws AcmeException;

    /** Removes the record; called after validation, also when it failed. */
    void cleanup(Record record) throws AcmeException;

    /** A name for logs and events ({@code rfc2136 ns1.example.net:53}, {@code exec /usr/local/bin/hook}). */
    String describe();
}
