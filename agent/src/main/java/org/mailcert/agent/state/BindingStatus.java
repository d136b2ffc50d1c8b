package org.mailcert.agent.state;

import java.util.Locale;
import java.util.Objects;

/**
 * One binding's state on this host.
 *
 * @param id binding id ({@code server}, {@code mail/<domain>}, {@code webmail/<domain>})
 * @param servedName the name clients connect to
 * @param certificate the certificate name
 * @param certificateVersion the certificate version
 * @param leafSha256 the leaf's SHA-256
 * @param state applied, failed or pending
 * @param message why it failed or is pending; "" when applied
 */
public record BindingStatus(String id, String servedName, String certificate, int certificateVersion,
        String leafSha256, State state, String message) {

    /** Where a binding stands. */
    public enum State {
        /** Installed by every target and acknowledged. */
        APPLIED,
        /** A target refused it or failed installing it; the previous state is kept. */
        FAILED,
        /** Wanted, not installed: another binding failed and the set is applied all or nothing. */
        PENDING;

        /** The lower-case name used in the file and output. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Refuses nulls. */
    public BindingStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(servedName, "servedName");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(leafSha256, "leafSha256");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(message, "message");
    }
}
