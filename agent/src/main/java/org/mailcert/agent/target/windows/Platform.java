package org.mailcert.agent.target.windows;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The operating system as the Windows targets see it: whether it is Windows at all, and how to write a
 * file only the agent's account can read. Tests hand in the host's own platform (a temp dir on Linux).
 */
public interface Platform {
    /** Whether this host runs Windows, the only place the {@code mailenable} and {@code iis} targets work. */
    boolean windows();

    /** The operating system's name, for messages ({@code Windows Server 2022}, {@code Linux}). */
    String osName();

    /**
     * Writes {@code content} to a new file in {@code dir} that only the agent's account can read (mode
     * 0600, or an ACL naming only the file's owner on Windows) and returns its path.
     *
     * @throws IOException if the directory or file cannot be made
     */
    Path writePrivate(Path dir, String prefix, byte[] content) throws IOException;

    /** The platform this JVM runs on. */
    static Platform current() {
        return HostPlatform.INSTANCE;
    }
}
