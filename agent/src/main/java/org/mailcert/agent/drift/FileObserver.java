package org.mailcert.agent.drift;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.Fingerprints;

/**
 * Looks at a file a binding needs, for the drift checks: whether it is there, the SHA-256 of what
 * it holds, and whether only its owner can read it. A link is reported as found with the content
 * it points to but never as owner-only: the agent writes regular files, so a link means someone
 * else put it there. Reading errors other than a missing file count as a file that cannot be read.
 */
public final class FileObserver {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private FileObserver() {
    }

    /**
     * Observes one file.
     *
     * @param path the file
     * @param secret whether it holds a private key
     * @param expected what the agent wrote there
     */
    public static Observed.File observe(Path path, boolean secret, byte[] expected) {
        String expectedSha = Fingerprints.sha256Hex(expected);
        try {
            Optional<BasicFileAttributes> a = AtomicFiles.attributes(path);
            Optional<String> actual = contentSha256(path);
            if (a.isEmpty() || actual.isEmpty()) {
                return new Observed.File(path, secret, expectedSha, Optional.empty());
            }
            boolean ownerOnly = a.get().isRegularFile() && (!(a.get() instanceof PosixFileAttributes p)
                    || p.permissions().stream().noneMatch(OTHERS::contains));
            return new Observed.File(path, secret, expectedSha, Optional.of(new Observed.Found(actual.get(),
                    ownerOnly)));
        } catch (IOException e) {
            // There but its attributes unreadable to the agent (which runs as root): not what was installed.
            return new Observed.File(path, secret, expectedSha, Optional.of(new Observed.Found(
                    Observed.Found.UNREADABLE, false)));
        }
    }

    /**
     * SHA-256 of what a file holds (through a link), {@link Observed.Found#UNREADABLE} if it exists
     * but cannot be read, empty if it does not exist.
     */
    public static Optional<String> contentSha256(Path file) {
        try {
            return Optional.of(Fingerprints.sha256Hex(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(Observed.Found.UNREADABLE);
        }
    }
}
