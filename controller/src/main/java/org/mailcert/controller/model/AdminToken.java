package org.mailcert.controller.model;

import java.time.Instant;

/** A bearer token for the admin API. Only the SHA-256 of its secret is kept. */
public record AdminToken(String name, byte[] secretSha256, Role role, Instant created) {
}
