package org.mailcert.agent.probe;

import java.util.Objects;

/**
 * One TLS service to probe.
 *
 * @param service the service's name as the agent reports it ({@code smtp}, {@code submission}, {@code smtps},
 *     {@code imap}, {@code imaps}, {@code pop3}, {@code pop3s}, {@code https})
 * @param address where to connect (a loopback address in tests)
 * @param port the TCP port
 * @param protocol how the connection reaches TLS
 */
public record Endpoint(String service, String address, int port, Protocol protocol) {
    /** Refuses nulls and impossible ports. */
    public Endpoint {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** The protocol a well-known mail service name uses. */
    public static Protocol protocolOf(String service) {
        return switch (service) {
            case "smtp", "submission" -> Protocol.SMTP_STARTTLS;
            case "imap" -> Protocol.IMAP_STARTTLS;
            case "pop3" -> Protocol.POP3_STARTTLS;
            case "smtps", "imaps", "pop3s", "https" -> Protocol.IMPLICIT;
            default -> throw new IllegalArgumentException("unknown service " + service);
        };
    }

    /** {@code service address:port}. */
    @Override
    public String toString() {
        return service + " " + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
}
