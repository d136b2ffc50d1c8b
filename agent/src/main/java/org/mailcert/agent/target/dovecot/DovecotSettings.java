package org.mailcert.agent.target.dovecot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the Dovecot target finds Dovecot and keeps its files.
 *
 * @param config Dovecot's main configuration file, passed as {@code -c FILE} to every Dovecot tool
 * @param include the managed include; Dovecot's configuration must include it (Debian's
 *     {@code !include conf.d/*.conf} does for {@code conf.d/99-mailcert.conf})
 * @param certDir the agent's private directory (0700) for the versioned key and chain files
 * @param probeAddress where the live handshakes connect (the listeners' port on this address)
 * @param probeDeadline how long one name on one endpoint may take to show the expected certificate
 * @param largeConfigBlocks from this many {@code local_name} blocks on, the include raises
 *     {@code service config { vsz_limit }} to {@link #LARGE_VSZ_LIMIT}
 */
public record DovecotSettings(Path config, Path include, Path certDir, String probeAddress, Duration probeDeadline,
        int largeConfigBlocks) {
    /** Debian's main configuration file. */
    public static final Path DEFAULT_CONFIG = Path.of("/etc/dovecot/dovecot.conf");
    /** The include's name in {@code conf.d/} next to the main file. */
    public static final String DEFAULT_INCLUDE_NAME = "99-mailcert.conf";
    /** Blocks from which the config process's memory limit is raised (256 MB fails above about 1,600). */
    public static final int DEFAULT_LARGE_CONFIG_BLOCKS = 1000;
    /** The config process's memory limit for large configurations (it needs about 660 MB for 5,000 blocks). */
    public static final String LARGE_VSZ_LIMIT = "2G";
    /** Characters a path may have to be written into Dovecot's configuration unquoted. */
    static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/+-]*");

    /** Refuses nulls, relative paths and paths Dovecot's syntax could misread. */
    public DovecotSettings {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(include, "include");
        Objects.requireNonNull(certDir, "certDir");
        Objects.requireNonNull(probeAddress, "probeAddress");
        Objects.requireNonNull(probeDeadline, "probeDeadline");
        config = config.toAbsolutePath().normalize();
        include = include.toAbsolutePath().normalize();
        certDir = certDir.toAbsolutePath().normalize();
        for (Path p : new Path[] {config, include, certDir}) {
            if (!SAFE_PATH.matcher(p.toString()).matches()) {
                throw new IllegalArgumentException("dovecot: path " + p
                        + " has characters that cannot be written into Dovecot's configuration");
            }
        }
        if (largeConfigBlocks < 1) {
            throw new IllegalArgumentException("dovecot: largeConfigBlocks must be positive");
        }
    }

    /**
     * The defaults for a config file: the include in {@code conf.d/99-mailcert.conf} beside it, files in
     * {@code <agent-data-dir>/dovecot}, probes on 127.0.0.1 with 15 s per name and endpoint.
     */
    public static DovecotSettings defaults(Path config, Path agentDataDir) {
        Path abs = config.toAbsolutePath().normalize();
        return new DovecotSettings(abs, abs.resolveSibling("conf.d").resolve(DEFAULT_INCLUDE_NAME),
                agentDataDir.resolve("dovecot"), "127.0.0.1", Duration.ofSeconds(15), DEFAULT_LARGE_CONFIG_BLOCKS);
    }
}
