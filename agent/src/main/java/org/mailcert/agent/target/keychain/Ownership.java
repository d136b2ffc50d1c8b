package org.mailcert.agent.target.keychain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Owner, group and mode of a file, as a server needs them to read it (qmail's {@code qmaild:qmail
 * 0640}, Courier's {@code root:courier 0640}).
 *
 * @param owner the owning user
 * @param group the owning group
 * @param mode the permission bits
 */
public record Ownership(UserPrincipal owner, GroupPrincipal group, Set<PosixFilePermission> mode) {
    /** Refuses nulls and copies the mode. */
    public Ownership {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(group, "group");
        mode = Set.copyOf(mode);
    }

    /** What an existing file (or directory) has; empty if there is none. */
    public static Optional<Ownership> of(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
        return Optional.of(new Ownership(a.owner(), a.group(), a.permissions()));
    }

    /** {@code root:root} with the mode, for files nothing else tells how to own. */
    public static Ownership root(Path anyPath, String mode) throws IOException {
        UserPrincipalLookupService users = anyPath.getFileSystem().getUserPrincipalLookupService();
        return new Ownership(users.lookupPrincipalByName("root"), users.lookupPrincipalByGroupName("root"),
                PosixFilePermissions.fromString(mode));
    }

    /** The same owner and group with another mode. */
    public Ownership withMode(String newMode) {
        return new Ownership(owner, group, PosixFilePermissions.fromString(newMode));
    }

    /** {@code user:group rwxr-x---}, for logs and tests. */
    @Override
    public String toString() {
        return owner.getName() + ":" + group.getName() + " " + PosixFilePermissions.toString(mode);
    }
}
