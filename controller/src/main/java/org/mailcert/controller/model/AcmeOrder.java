package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the controller keeps about a certificate name it orders by ACME: what to order, how the
 * last attempt went and when the next is due. One per certificate name.
 *
 * @param lastAttempt when the last order was tried; empty before the first
 * @param lastResult {@link #ISSUED}, {@link #FAILED}, or empty before the first attempt
 * @param errorKind the failure's kind in lower case ({@code dns}, {@code rate_limited}, ...); empty after success
 * @param failures failures in a row since the last success
 * @param nextAttempt when to order next (renewal, or a retry after a failure)
 * @param nextReason why then, for {@code cert show}
 * @param bundleHost a SAN bundle's host, whose FQDN and {@code mail.<d>} names the domains follow;
 *                   empty for an order of fixed names
 * @param bundleMaxNames a SAN bundle's most names in one order; 0 otherwise
 */
public record AcmeOrder(String name, String issuer, List<String> domains, String keyType, String profile,
        Optional<Instant> lastAttempt, String lastResult, String lastError, String errorKind, int failures,
        Instant nextAttempt, String nextReason, String bundleHost, int bundleMaxNames) {
    public static final String ISSUED = "issued";
    public static final String FAILED = "failed";

    public AcmeOrder {
        domains = List.copyOf(domains);
    }

    /** An order of fixed names (not a SAN bundle). */
    public AcmeOrder(String name, String issuer, List<String> domains, String keyType, String profile,
            Optional<Instant> lastAttempt, String lastResult, String lastError, String errorKind, int failures,
            Instant nextAttempt, String nextReason) {
        this(name, issuer, domains, keyType, profile, lastAttempt, lastResult, lastError, errorKind, failures,
                nextAttempt, nextReason, "", 0);
    }

    /** Whether this is a SAN bundle that follows a host's domains. */
    public boolean isBundle() {
        return !bundleHost.isEmpty();
    }

    /** This order with other names (a SAN bundle whose host's domains changed). */
    public AcmeOrder withDomains(List<String> newDomains) {
        return new AcmeOrder(name, issuer, newDomains, keyType, profile, lastAttempt, lastResult, lastError, errorKind,
                failures, nextAttempt, nextReason, bundleHost, bundleMaxNames);
    }

    /** This order after a success at {@code at}, next due at {@code next} for {@code reason}. */
    public AcmeOrder issued(Instant at, Instant next, String reason) {
        return new AcmeOrder(name, issuer, domains, keyType, profile, Optional.of(at), ISSUED, "", "", 0, next, reason,
                bundleHost, bundleMaxNames);
    }

    /** This order after a failure at {@code at}, next due at {@code next} for {@code reason}. */
    public AcmeOrder failed(Instant at, String kind, String error, Instant next, String reason) {
        return new AcmeOrder(name, issuer, domains, keyType, profile, Optional.of(at), FAILED, error, kind,
                failures + 1, next, reason, bundleHost, bundleMaxNames);
    }

    /** This order with only its next attempt moved (an ARI answer, say). */
    public AcmeOrder rescheduled(Instant next, String reason) {
        return new AcmeOrder(name, issuer, domains, keyType, profile, lastAttempt, lastResult, lastError, errorKind,
                failures, next, reason, bundleHost, bundleMaxNames);
    }
}
