package org.mailcert.agent.target.courier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.mailcert.agent.target.keychain.SniSupport;

/**
 * Where Courier lives and how to check it.
 *
 * @param configDir Courier's configuration directory ({@code /etc/courier})
 * @param sni whether per-domain certificates are served: {@link SniSupport#DETECT} means yes exactly
 *     when {@code couriertls} is built with SNI (its binary uses GnuTLS's {@code
 *     gnutls_server_name_get} or OpenSSL's {@code SSL_get_servername})
 * @param couriertls the couriertls program, for that check
 * @param probeAddress where the TLS ports found in the configuration are probed ({@code 127.0.0.1})
 * @param deadline how long a probe may take to show the new certificate
 */
public record CourierSettings(Path configDir, SniSupport sni, Path couriertls, String probeAddress,
        Duration deadline) {
    /** The default configuration directory (Debian's). */
    public static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/courier");
    /** Where Debian installs couriertls. */
    public static final Path DEFAULT_COURIERTLS = Path.of("/usr/bin/couriertls");

    /** Refuses nulls. */
    public CourierSettings {
        Objects.requireNonNull(configDir, "configDir");
        Objects.requireNonNull(sni, "sni");
        Objects.requireNonNull(couriertls, "couriertls");
        Objects.requireNonNull(probeAddress, "probeAddress");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** {@code /etc/courier}, detected SNI, {@code /usr/bin/couriertls}, {@code 127.0.0.1}, 10 s. */
    public static CourierSettings defaults() {
        return new CourierSettings(DEFAULT_CONFIG_DIR, SniSupport.DETECT, DEFAULT_COURIERTLS, "127.0.0.1",
                Duration.ofSeconds(10));
    }
}
