package org.mailcert.common.pki;

import java.util.Objects;

/**
 * Whether a chain is trusted, and if not, why.
 *
 * @param trusted true when the chain validates to a trusted root
 * @param problem what is wrong, for a person ("self-signed", "expired on 2026-01-01"); "" when
 *     trusted
 */
public record TrustResult(boolean trusted, String problem) {
    /** Refuses a null problem. */
    public TrustResult {
        Objects.requireNonNull(problem, "problem");
    }

    /** A trusted result. */
    public static TrustResult ok() {
        return new TrustResult(true, "");
    }

    /** An untrusted result with its problem. */
    public static TrustResult untrusted(String problem) {
        return new TrustResult(false, problem);
    }
}
