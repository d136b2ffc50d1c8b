package org.mailcert.agent.target.dovecot;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.Fingerprints;

/**
 * The SHA-256 of the include last proven served, kept in a file in the agent's private directory
 * and written when a change is committed. An include on disk that matches it is what Dovecot serves:
 * a hand edit, or an apply that stopped between the switch and its commit, leaves a different one.
 * Not thread-safe.
 */
final class ProvenInclude {
    /** The file's name in the agent's directory. */
    static final String FILE_NAME = ".proven-include.sha256";

    private final Path file;

    ProvenInclude(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    /** Whether {@code includeText} (null for none) is the include last proven served. */
    boolean matches(String includeText) {
        if (includeText == null || !Files.isRegularFile(file)) {
            return false;
        }
        try {
            return Files.readString(file, US_ASCII).strip().equals(sha256(includeText));
        } catch (IOException e) {
            return false;
        }
    }

    /** Records {@code includeText} as proven served. */
    void record(String includeText) throws IOException {
        AtomicFiles.privateDirectory(file.getParent());
        AtomicFiles.write(file, (sha256(includeText) + "\n").getBytes(US_ASCII), AtomicFiles.OWNER_ONLY);
    }

    private static String sha256(String text) {
        return Fingerprints.sha256Hex(text.getBytes(UTF_8));
    }
}
