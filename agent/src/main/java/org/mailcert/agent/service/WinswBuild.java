package org.mailcert.agent.service;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A build of the WinSW service wrapper the installer accepts: where it is published and the SHA-256 of the
 * executable. {@code install-agent.ps1} holds the same two values (a test keeps them equal).
 *
 * @param version the WinSW release
 * @param url where {@code install-agent.ps1} downloads it (https)
 * @param sha256 the executable's SHA-256, lower-case hex
 */
public record WinswBuild(String version, URI url, String sha256) {
    /**
     * WinSW 2.12.0, the native 64-bit build (no .NET Framework needed).
     * UNVERIFIED: the hash comes from two independent public pins of this release; it was not computed
     * here (no network on the build machine).
     */
    public static final WinswBuild PINNED = new WinswBuild("2.12.0",
            URI.create("https://github.com/winsw/winsw/releases/download/v2.12.0/WinSW-x64.exe"),
            "05b82d46ad331cc16bdc00de5c6332c1ef818df8ceefcd49c726553209b3a0da");

    /** Refuses a hash that is not 64 hex digits and keeps it lower-case. */
    public WinswBuild {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(url, "url");
        sha256 = normalized(sha256);
    }

    /** {@code hex} as 64 lower-case hex digits. */
    public static String normalized(String hex) {
        String h = Objects.requireNonNull(hex, "sha256").strip().toLowerCase(Locale.ROOT);
        if (!h.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a SHA-256 is 64 hex digits, not '" + hex + "'");
        }
        return h;
    }

    /**
     * Checks that {@code exe} is a regular file whose SHA-256 is {@code expected}.
     *
     * @throws ServiceException if it is missing, unreadable or different
     */
    public static void verify(Path exe, String expected) throws ServiceException {
        if (!Files.isRegularFile(exe)) {
            throw new ServiceException("the WinSW executable " + exe + " does not exist; nothing was changed");
        }
        String actual;
        try {
            actual = sha256(exe);
        } catch (IOException e) {
            throw new ServiceException("cannot read the WinSW executable " + exe + ": " + e.getMessage()
                    + "; nothing was changed", e);
        }
        if (!actual.equals(normalized(expected))) {
            throw new ServiceException("the WinSW executable " + exe + " has SHA-256 " + actual + ", not the pinned "
                    + normalized(expected) + "; download " + PINNED.url() + " again (or give --winsw-sha256 for"
                    + " another vetted build); nothing was changed");
        }
    }

    /** The file's SHA-256, lower-case hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
