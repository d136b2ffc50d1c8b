package org.mailcert.controller.model;

import java.util.Objects;

/**
 * One enabled TLS service of a mail software.
 *
 * @param service {@code smtp}, {@code submission}, {@code smtps}, {@code imap}, {@code imaps},
 *                {@code pop3}, {@code pop3s} or {@code https}
 * @param port    its TCP port
 */
public record ServiceEndpoint(String service, int port) {
    /** Refuses a null service. */
    public ServiceEndpoint {
        Objects.requireNonNull(service, "service");
    }
}
