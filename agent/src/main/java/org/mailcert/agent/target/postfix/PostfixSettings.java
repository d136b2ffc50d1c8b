package org.mailcert.agent.target.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the Postfix target works.
 *
 * @param configDir Postfix's configuration directory, passed as {@code -c DIR} to every tool
 * @param managedDir the agent's own directory (0700) for versioned key/chain files and SNI maps
 * @param probeAddress the address probed for services that listen on every address
 * @param probeDeadline how long each endpoint may take to serve the expected certificate after a reload
 * @param commandTimeout how long one {@code postconf}, {@code postmap} or {@code postfix} may run
 */
public record PostfixSettings(Path configDir, Path managedDir, String probeAddress, Duration probeDeadline,
        Duration commandTimeout) {
    /** Postfix's default configuration directory. */
    public static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/postfix");

    /** Normalises the paths and refuses nulls and non-positive durations. */
    public PostfixSettings {
        configDir = Objects.requireNonNull(configDir, "configDir").toAbsolutePath().normalize();
        managedDir = Objects.requireNonNull(managedDir, "managedDir").toAbsolutePath().normalize();
        if (managedDir.toString().matches(".*[\\s,].*")) {
            throw new IllegalArgumentException("managedDir must not contain white space or commas (Postfix lists"
                    + " split on them): " + managedDir);
        }
        Objects.requireNonNull(probeAddress, "probeAddress");
        if (probeDeadline.isNegative() || probeDeadline.isZero()) {
            throw new IllegalArgumentException("probeDeadline must be positive");
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive");
        }
    }

    /**
     * The usual settings: {@code /etc/postfix}, {@code <agentDataDir>/postfix}, probing 127.0.0.1
     * for 10 s, 60 s per command.
     */
    public static PostfixSettings defaults(Path agentDataDir) {
        return new PostfixSettings(DEFAULT_CONFIG_DIR, agentDataDir.resolve("postfix"), "127.0.0.1",
                Duration.ofSeconds(10), Duration.ofSeconds(60));
    }
}
