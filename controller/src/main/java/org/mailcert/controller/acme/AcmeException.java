package org.mailcert.controller.acme;

import java.time.Duration;
import java.util.Optional;

/**
 * An ACME attempt failed. Carries what kind of failure it was, so renewal can back off the right
 * way (a rate limit is not retried before the CA says; a DNS failure is the admin's to fix), and
 * the CA's Retry-After when it gave one. The message is for an admin and never holds a secret.
 */
public final class AcmeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of failure. */
    public enum Kind {
        /** The TXT record could not be set, removed or seen at the authoritative servers. */
        DNS,
        /** The CA refused: bad account, unauthorized, rejected identifier, failed validation, bad CSR. */
        CA_REFUSED,
        /** The CA's rate limit (urn:ietf:params:acme:error:rateLimited). */
        RATE_LIMITED,
        /** The CA could not be reached or answered with a server error. */
        NETWORK,
        /** Our own settings are wrong (unknown issuer, a profile the CA does not offer, ...). */
        CONFIGURATION
    }

    private final Kind kind;
    private final Optional<Duration> retryAfter;

    public AcmeException(Kind kind, String message) {
        this(kind, message, Optional.empty(), null);
    }

    public AcmeException(Kind kind, String message, Optional<Duration> retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    /** What kind of failure. */
    public Kind kind() {
        return kind;
    }

    /** How long the CA asked us to wait, if it did. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
