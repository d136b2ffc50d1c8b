package org.mailcert.agent.target.iis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;

/**
 * How the IIS target works on this host.
 *
 * @param windowsDir the agent's Windows directory (PFX scratch files, imported thumbprints)
 * @param webmailPath the physical path of the IIS site that serves MailEnable's webmail; the site is found by
 *     it, not by its name
 * @param address where the webmail names are probed
 * @param port the HTTPS port of the site bindings, also probed
 * @param deadline how long IIS may take to serve a new certificate
 * @param commandTimeout how long one command may run
 */
public record IisSettings(Path windowsDir, String webmailPath, String address, int port, Duration deadline,
        Duration commandTimeout) {
    /** Where MailEnable installs its webmail (32-bit program on 64-bit Windows). */
    public static final String WEBMAIL_PATH = "C:\\Program Files (x86)\\Mail Enable\\Bin\\NETWebMail";

    /** Refuses nulls, blank paths and impossible ports. */
    public IisSettings {
        Objects.requireNonNull(windowsDir, "windowsDir");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (webmailPath == null || webmailPath.isBlank()) {
            throw new IllegalArgumentException("the IIS webmail path must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("IIS port " + port + " is not a port (1-65535)");
        }
    }

    /** MailEnable's default webmail path, probed at {@code 127.0.0.1:443}, 30 s deadline, 2 min per command. */
    public static IisSettings defaults(Path dataDir) {
        return new IisSettings(dataDir.resolve("windows"), WEBMAIL_PATH, "127.0.0.1", 443, Duration.ofSeconds(30),
                Duration.ofMinutes(2));
    }

    /** Where each webmail name is probed with SNI. */
    public Endpoint endpoint() {
        return new Endpoint("https", address, port, Protocol.IMPLICIT);
    }
}
