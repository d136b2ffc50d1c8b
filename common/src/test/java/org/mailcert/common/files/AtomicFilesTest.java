package org.mailcert.common.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aKeyFileIsWrittenOwnerOnlyAndReplacesTheOldContent() throws Exception {
        Path f = dir.resolve("sub/key.pem");
        AtomicFiles.write(f, "one".getBytes(), AtomicFiles.PUBLIC_READ);
        AtomicFiles.write(f, "two".getBytes(), AtomicFiles.OWNER_ONLY);
        assertArrayEquals("two".getBytes(), Files.readAllBytes(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void aFileIsReplacedWithTheGivenOwnerGroupAndMode() throws Exception {
        var users = dir.getFileSystem().getUserPrincipalLookupService();
        Path f = dir.resolve("servercert.pem");
        AtomicFiles.write(f, "one".getBytes(), AtomicFiles.OWNER_ONLY);
        AtomicFiles.write(f, "two".getBytes(), PosixFilePermissions.fromString("rw-r-----"),
                users.lookupPrincipalByName("mail"), users.lookupPrincipalByGroupName("daemon"));
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class);
        assertEquals(List.of("mail", "daemon", "rw-r-----"), List.of(a.owner().getName(), a.group().getName(),
                PosixFilePermissions.toString(a.permissions())), "needs root to chown, as the agent runs");
        assertArrayEquals("two".getBytes(), Files.readAllBytes(f));
    }

    @Test
    void unflushedWritesReplaceAtomicallyAndForceFlushesThemAll() throws Exception {
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Path f = dir.resolve("batch/f" + i);
            AtomicFiles.writeUnflushed(f, ("old " + i).getBytes(), AtomicFiles.OWNER_ONLY);
            AtomicFiles.writeUnflushed(f, ("new " + i).getBytes(), AtomicFiles.OWNER_ONLY);
            files.add(f);
        }
        AtomicFiles.force(files);
        for (int i = 0; i < 40; i++) {
            assertEquals("new " + i, Files.readString(files.get(i)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(i))));
        }
        try (var listing = Files.list(dir.resolve("batch"))) {
            assertEquals(40, listing.count(), "no temporary file left");
        }
        java.io.IOException missing = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> AtomicFiles.force(List.of(dir.resolve("batch/none"))));
        org.junit.jupiter.api.Assertions.assertTrue(missing.getMessage().contains("none"), missing.getMessage());
    }

    @Test
    void noTemporaryFileIsLeftBehind() throws Exception {
        AtomicFiles.write(dir.resolve("a"), new byte[] {1}, AtomicFiles.OWNER_ONLY);
        try (var s = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("a")), s.toList());
        }
    }

    @Test
    void aPrivateDirectoryIsOwnerOnly() throws Exception {
        Path d = AtomicFiles.privateDirectory(dir.resolve("x/y"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
    }
}
