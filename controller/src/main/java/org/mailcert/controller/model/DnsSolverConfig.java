package org.mailcert.controller.model;

/**
 * How an issuer proves DNS-01, without its secrets (the TSIG secret lives sealed in the store and
 * is read through {@code Store.issuerSecrets}).
 */
public sealed interface DnsSolverConfig {

    /** A name for tables and events ({@code rfc2136 ns1.example.net:53}, {@code exec /usr/local/bin/hook}). */
    String describe();

    /**
     * RFC 2136 dynamic update signed with TSIG.
     *
     * @param server host:port of the primary that takes updates
     * @param zone the zone to update; empty: found by SOA lookup
     */
    record Rfc2136(String server, String tsigKeyName, String tsigAlgorithm, String zone) implements DnsSolverConfig {
        @Override
        public String describe() {
            return "rfc2136 " + server + " key " + tsigKeyName;
        }
    }

    /** An admin's command, run without a shell, with MAILCERT_ACTION, _DOMAIN, _RECORD, _VALUE set. */
    record Exec(String command) implements DnsSolverConfig {
        @Override
        public String describe() {
            return "exec " + command;
        }
    }
}
