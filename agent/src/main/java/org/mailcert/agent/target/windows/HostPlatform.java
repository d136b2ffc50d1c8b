package org.mailcert.agent.target.windows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * The JVM's own platform, from {@code os.name} and the file system's attribute views (JDK only: no
 * native code). On POSIX a private file is created with mode 0600; on Windows it is created empty, its
 * ACL replaced by one entry for its owner (no inherited entries), and only then written.
 */
final class HostPlatform implements Platform {
    static final HostPlatform INSTANCE = new HostPlatform(System.getProperty("os.name", "unknown"));

    private final String osName;

    HostPlatform(String osName) {
        this.osName = osName;
    }

    @Override
    public boolean windows() {
        return osName.toLowerCase(Locale.ROOT).startsWith("windows");
    }

    @Override
    public String osName() {
        return osName;
    }

    @Override
    public Path writePrivate(Path dir, String prefix, byte[] content) throws IOException {
        Files.createDirectories(dir);
        Path file;
        if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            file = Files.createTempFile(dir, prefix, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            file = Files.createTempFile(dir, prefix, ".tmp");
            AclFileAttributeView acl = Files.getFileAttributeView(file, AclFileAttributeView.class);
            if (acl == null) {
                Files.delete(file);
                throw new IOException("cannot restrict " + file + " to the agent's account: no POSIX modes, no ACLs");
            }
            acl.setAcl(List.of(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(acl.getOwner())
                    .setPermissions(EnumSet.allOf(AclEntryPermission.class)).build()));
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(content);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }
}
