package org.mailcert.agent.target.mail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * A file's identity and change time, to tell whether a write replaced it (an atomic rename gives
 * it a new inode) or created it.
 */
public record FileStamp(Object fileKey, long modifiedNanos, long size) {
    /** The file's stamp, or empty if it does not exist. */
    public static Optional<FileStamp> of(Path file) throws IOException {
        try {
            return Optional.of(of(Files.readAttributes(file, BasicFileAttributes.class)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The stamp of a file whose attributes were read. */
    public static FileStamp of(BasicFileAttributes a) {
        return new FileStamp(a.fileKey(), a.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                + a.lastModifiedTime().toInstant().getNano(), a.size());
    }

    /** Whether {@code after} differs from {@code before} (created, replaced or deleted). */
    public static boolean changed(Optional<FileStamp> before, Optional<FileStamp> after) {
        return !Objects.equals(before, after);
    }
}
