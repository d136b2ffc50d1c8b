package org.mailcert.agent.target.dovecot;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One certificate the include makes Dovecot serve.
 *
 * @param pattern the {@code local_name} pattern ({@code mail.example.com}, {@code *.example.net}); empty
 *     for the server-wide default
 * @param leafSha256 SHA-256 of the leaf, lower-case hex
 * @param bindingId the binding it comes from
 * @param fullChain the chain file (leaf first)
 * @param key the key file
 */
public record Served(Optional<String> pattern, String leafSha256, String bindingId, Path fullChain, Path key) {
    /** Refuses nulls. */
    public Served {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(leafSha256, "leafSha256");
        Objects.requireNonNull(bindingId, "bindingId");
        Objects.requireNonNull(fullChain, "fullChain");
        Objects.requireNonNull(key, "key");
    }

    /** The pattern, or {@code ""} for the server-wide default (the key of {@link IncludeFile#listed}). */
    public String slot() {
        return pattern.orElse("");
    }
}
