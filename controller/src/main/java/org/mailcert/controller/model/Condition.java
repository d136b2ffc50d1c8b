package org.mailcert.controller.model;

import java.time.Instant;
import java.util.Optional;

/**
 * One condition of a binding or a host as its agent observed it, with cert-manager's fields.
 *
 * @param type               {@link #INSTALLED}, {@link #SERVED} or {@link #READY}
 * @param status             {@code True}, {@code False} or {@code Unknown}
 * @param reason             CamelCase: the first drift reason when False, the type when True
 * @param lastTransitionTime when {@code status} last changed (not when it was last observed)
 * @param observedVersion    the applied version the condition was observed for
 */
public record Condition(String type, String status, String reason, String message,
        Optional<Instant> lastTransitionTime, long observedVersion) {
    /** The binding's files and configuration are in place. */
    public static final String INSTALLED = "Installed";
    /** A live handshake returned the binding's certificate. */
    public static final String SERVED = "Served";
    /** Installed and served. */
    public static final String READY = "Ready";

    /** Whether the status is {@code True}. */
    public boolean isTrue() {
        return "True".equals(status);
    }

    /** Whether the status is {@code False}. */
    public boolean isFalse() {
        return "False".equals(status);
    }
}
