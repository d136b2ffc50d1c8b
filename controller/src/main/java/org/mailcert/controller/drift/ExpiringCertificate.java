package org.mailcert.controller.drift;

/**
 * A bound certificate that ends within the window asked about.
 *
 * @param daysLeft whole days left, rounded down; negative once it has ended
 */
public record ExpiringCertificate(BoundCertificate certificate, long daysLeft) {
}
