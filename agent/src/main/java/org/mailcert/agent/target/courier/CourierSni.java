package org.mailcert.agent.target.courier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether couriertls serves {@code $TLS_CERTFILE.<name>} for an SNI name. couriertls has no version
 * or capability option, so the check looks into its binary for the library call that reads the SNI
 * name: GnuTLS's {@code gnutls_server_name_get} or OpenSSL's {@code SSL_get_servername}. Debian 12's
 * couriertls (courier-base 1.0.16, GnuTLS) has it and serves per-name files (proven by {@code
 * CourierTlsIT}).
 */
final class CourierSni {
    /** Symbols only an SNI-aware couriertls links against. */
    static final List<String> SNI_SYMBOLS = List.of("gnutls_server_name_get", "SSL_get_servername");

    /**
     * The answer.
     *
     * @param supported whether per-domain certificates are served
     * @param reason why not (or how it was decided), one phrase
     */
    record Support(boolean supported, String reason) {
    }

    private CourierSni() {
    }

    /** Decides per the settings, detecting from the couriertls binary when asked to. */
    static Support of(CourierSettings settings) {
        return switch (settings.sni()) {
            case ON -> new Support(true, "per-domain certificates switched on in the settings");
            case OFF -> new Support(false, "per-domain certificates switched off in the settings");
            case DETECT -> detect(settings.couriertls());
        };
    }

    private static Support detect(Path couriertls) {
        byte[] binary;
        try {
            binary = Files.readAllBytes(couriertls);
        } catch (IOException e) {
            return new Support(false, "cannot read " + couriertls + " to check for SNI support: " + e.getMessage());
        }
        String text = new String(binary, StandardCharsets.ISO_8859_1);
        for (String symbol : SNI_SYMBOLS) {
            if (text.contains(symbol)) {
                return new Support(true, couriertls + " uses " + symbol);
            }
        }
        return new Support(false, couriertls + " is built without SNI support");
    }
}
