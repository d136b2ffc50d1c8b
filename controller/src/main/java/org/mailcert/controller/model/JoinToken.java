package org.mailcert.controller.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A single-use, expiring enrollment token for one host. Only the SHA-256 of its secret is kept.
 */
public record JoinToken(
        String id,
        byte[] secretSha256,
        String host,
        Instant created,
        Instant expires,
        Optional<Instant> used,
        String createdBy) {
}
