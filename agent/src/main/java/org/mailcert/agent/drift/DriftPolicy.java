package org.mailcert.agent.drift;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a certificate counts as expiring: once the time left is under {@code within} or under
 * {@code 1/lifetimeDivisor} of its lifetime, whichever comes later. The default, 21 days or a third
 * of the lifetime, flags a 90-day certificate 21 days ahead and a 6-day one 2 days ahead (the
 * earlier reading, "flag at whichever is reached first", would flag every short-lived certificate
 * from its first day).
 *
 * @param within the longest warning
 * @param lifetimeDivisor the warning as a fraction of the lifetime (3: a third)
 */
public record DriftPolicy(Duration within, int lifetimeDivisor) {
    /** 21 days or a third of the lifetime. */
    public static final DriftPolicy DEFAULT = new DriftPolicy(Duration.ofDays(21), 3);

    /** Refuses nulls and non-positive values. */
    public DriftPolicy {
        Objects.requireNonNull(within, "within");
        if (within.isNegative() || within.isZero() || lifetimeDivisor < 1) {
            throw new IllegalArgumentException("the expiry warning must be positive");
        }
    }

    /** From when a certificate valid from {@code notBefore} to {@code notAfter} counts as expiring. */
    public Instant expiringFrom(Instant notBefore, Instant notAfter) {
        Duration lifetime = Duration.between(notBefore, notAfter);
        Duration fraction = lifetime.dividedBy(lifetimeDivisor);
        return notAfter.minus(fraction.compareTo(within) < 0 ? fraction : within);
    }
}
