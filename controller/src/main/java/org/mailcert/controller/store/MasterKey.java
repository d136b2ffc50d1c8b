package org.mailcert.controller.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.mailcert.controller.ControllerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 256-bit key that seals every private key in the store, kept in its own file (mode 0600).
 * Losing the file loses every stored private key; keep a backup apart from the store's.
 */
public final class MasterKey {
    /** Length of the key and of its file, in bytes. */
    public static final int LENGTH = 32;

    private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private final SecretKey key;
    private final Path file;

    private MasterKey(byte[] bytes, Path file) {
        this.key = new SecretKeySpec(bytes, "AES");
        this.file = file;
    }

    /**
     * Loads the master key from {@code file}, creating it with 32 random bytes (mode 0600, written
     * atomically) if it does not exist. Refuses a file of the wrong length or one that group or
     * others may read or write.
     */
    public static MasterKey loadOrCreate(Path file) throws ControllerException {
        Path absolute = file.toAbsolutePath();
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            create(absolute);
        }
        return load(absolute);
    }

    /** The file this key was read from. */
    public Path file() {
        return file;
    }

    /** The AES key, for {@link KeySealer}. */
    SecretKey secretKey() {
        return key;
    }

    /** Names the file only: the key bytes never appear in logs. */
    @Override
    public String toString() {
        return "MasterKey[" + file + "]";
    }

    private static MasterKey load(Path file) throws ControllerException {
        if (!Files.isRegularFile(file)) {
            throw fail("master key " + file + " is not a regular file", null);
        }
        try {
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null) {
                Set<PosixFilePermission> perms = posix.readAttributes().permissions();
                String mode = octal(perms);
                if (perms.contains(PosixFilePermission.GROUP_READ)
                        || perms.contains(PosixFilePermission.OTHERS_READ)) {
                    throw fail("master key " + file + " is readable by others (mode " + mode + "); chmod 600 " + file
                            + " and consider the key compromised if others could log in", null);
                }
                if (perms.contains(PosixFilePermission.GROUP_WRITE)
                        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                    throw fail("master key " + file + " is writable by others (mode " + mode + "); chmod 600 "
                            + file, null);
                }
            }
            long size = Files.size(file);
            if (size != LENGTH) {
                throw fail("master key " + file + " has " + size + " bytes, expected exactly " + LENGTH
                        + "; it is damaged or not a mailcert master key (restore it from backup)", null);
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length != LENGTH) {
                throw fail("master key " + file + " changed while being read; try again", null);
            }
            MasterKey key = new MasterKey(bytes, file);
            Arrays.fill(bytes, (byte) 0);
            return key;
        } catch (AccessDeniedException e) {
            throw fail("cannot read master key " + file + ": permission denied; run the controller as the file's owner",
                    e);
        } catch (NoSuchFileException e) {
            throw fail("master key " + file + " does not exist", e);
        } catch (IOException e) {
            throw fail("cannot read master key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a fresh key: temp file created 0600, written, fsynced, then published under its name
     * with a hard link, which fails rather than replace a key another process created meanwhile
     * (two controllers starting at once must not end up with different keys).
     */
    private static void create(Path file) throws ControllerException {
        Path dir = file.getParent();
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        byte[] bytes = new byte[LENGTH];
        Path tmp = null;
        try {
            if (dir != null && !Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                    : new FileAttribute<?>[0];
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", attrs);
            new SecureRandom().nextBytes(bytes);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (publish(tmp, file)) {
                fsyncDirectory(dir, posix);
                LOG.info("created a new master key at {}; back it up apart from the store", file);
            } else {
                LOG.info("master key {} was created by another process meanwhile; using it", file);
            }
        } catch (AccessDeniedException e) {
            throw fail("cannot create master key " + file + ": permission denied on " + e.getFile(), e);
        } catch (IOException e) {
            throw fail("cannot create master key " + file + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("cannot remove temporary file {}: {}", tmp, e.getMessage());
                }
            }
        }
    }

    /** Gives the written temp file its final name; false if a key appeared there meanwhile. */
    private static boolean publish(Path tmp, Path file) throws IOException {
        try {
            Files.createLink(file, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            // No hard links on this file system: an atomic rename is the best we can do.
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    private static void fsyncDirectory(Path dir, boolean posix) throws IOException {
        if (dir == null || !posix) {
            return; // Windows cannot open a directory for fsync; NTFS journals the rename.
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", mode);
    }

    private static ControllerException fail(String message, Throwable cause) {
        return new ControllerException(ControllerException.Kind.INTERNAL, message, cause);
    }
}
