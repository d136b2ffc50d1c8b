package org.mailcert.agent.probe;

import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * What a handshake showed.
 *
 * @param leaf the certificate the server presented first
 * @param leafSha256 SHA-256 of its DER, lower-case hex
 */
public record ProbeResult(X509Certificate leaf, String leafSha256) {
    /** Refuses nulls. */
    public ProbeResult {
        Objects.requireNonNull(leaf, "leaf");
        Objects.requireNonNull(leafSha256, "leafSha256");
    }
}
