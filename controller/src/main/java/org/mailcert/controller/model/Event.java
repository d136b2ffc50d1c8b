package org.mailcert.controller.model;

import java.time.Instant;

/**
 * One entry of the audit and event log.
 *
 * @param seq      position in the log, assigned by the store, strictly increasing
 * @param actor    who caused it: {@code admin:<token>}, {@code agent:<host>}, {@code controller}
 * @param kind     dotted kind such as {@code certificate.imported}
 * @param host     the host it concerns, or empty
 * @param revision store revision of the change, 0 when no desired state changed
 */
public record Event(long seq, Instant time, String actor, String kind, String host, String subject,
        String message, long revision) {

    /** An event to be appended; the store assigns sequence, time and revision. */
    public static Event draft(String actor, String kind, String host, String subject, String message) {
        return new Event(0, Instant.EPOCH, actor, kind, host, subject, message, 0);
    }
}
