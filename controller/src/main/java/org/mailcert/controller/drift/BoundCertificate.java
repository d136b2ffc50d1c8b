package org.mailcert.controller.drift;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The newest version of a certificate name that bindings use, and the hosts whose bindings use it.
 *
 * @param sha256 SHA-256 (hex) of the leaf
 * @param hosts  hosts (not revoked) with a binding that uses the name, sorted
 */
public record BoundCertificate(String name, int version, String sha256, Instant notAfter, List<String> hosts) {
    /** Copies the list. */
    public BoundCertificate {
        hosts = List.copyOf(hosts);
    }

    /** Whole days from {@code now} until it ends, rounded down: negative once it has ended. */
    public long daysLeft(Instant now) {
        return Math.floorDiv(Duration.between(now, notAfter).getSeconds(), 86_400L);
    }

    /** Days from {@code now} until it ends, with the fraction: negative once it has ended. */
    public double fractionalDaysLeft(Instant now) {
        return Duration.between(now, notAfter).toMillis() / 86_400_000.0;
    }
}
