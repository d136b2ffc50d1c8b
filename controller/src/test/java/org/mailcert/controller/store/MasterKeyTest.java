package org.mailcert.controller.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.controller.ControllerException;

/** Creating, loading and refusing master key files. */
class MasterKeyTest {
    @TempDir
    Path tmp;

    private boolean posix() {
        return tmp.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    @Test
    void firstStartCreates32RandomBytesOwnerOnlyAndLaterStartsReadThem() throws Exception {
        Path file = tmp.resolve("conf/master.key");
        MasterKey created = MasterKey.loadOrCreate(file);
        assertEquals(MasterKey.LENGTH, Files.size(file));
        if (posix()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        }
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            assertEquals(List.of(file), siblings.toList(), "no temp file left behind");
        }
        byte[] onDisk = Files.readAllBytes(file);
        assertArrayEquals(onDisk, created.secretKey().getEncoded());

        MasterKey loaded = MasterKey.loadOrCreate(file);
        assertArrayEquals(onDisk, loaded.secretKey().getEncoded());
        assertArrayEquals(onDisk, Files.readAllBytes(file), "loading does not rewrite the key");

        byte[] another = MasterKey.loadOrCreate(tmp.resolve("other.key")).secretKey().getEncoded();
        assertFalse(java.util.Arrays.equals(onDisk, another));
        assertFalse(created.toString().contains(java.util.HexFormat.of().formatHex(onDisk)));
    }

    @Test
    void aKeyReadableByOthersIsRefused() throws Exception {
        assertTrue(posix(), "mode checks need a POSIX file system");
        Path file = tmp.resolve("master.key");
        MasterKey.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ControllerException e = assertThrows(ControllerException.class, () -> MasterKey.loadOrCreate(file));
        assertEquals(ControllerException.Kind.INTERNAL, e.kind());
        assertTrue(e.getMessage().startsWith("master key " + file + " is readable by others (mode 0644); chmod 600 "
                + file), e.getMessage());
    }

    @Test
    void aKeyWritableByTheGroupIsRefused() throws Exception {
        assertTrue(posix(), "mode checks need a POSIX file system");
        Path file = tmp.resolve("master.key");
        MasterKey.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));
        ControllerException e = assertThrows(ControllerException.class, () -> MasterKey.loadOrCreate(file));
        assertTrue(e.getMessage().contains("is writable by others (mode 0620)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 33, 64})
    void aKeyOfTheWrongLengthIsRefused(int length) throws Exception {
        Path file = tmp.resolve("master.key");
        Files.write(file, new byte[length]);
        if (posix()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        ControllerException e = assertThrows(ControllerException.class, () -> MasterKey.loadOrCreate(file));
        assertTrue(e.getMessage().contains("has " + length + " bytes, expected exactly 32"), e.getMessage());
        assertEquals(length, Files.size(file), "a bad key file is left alone");
    }
}
