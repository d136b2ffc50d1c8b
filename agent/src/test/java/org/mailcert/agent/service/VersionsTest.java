package org.mailcert.agent.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The version order the downgrade check uses, and the installed-version file. */
class VersionsTest {
    @Test
    void versionsOrderNumericallyWithQualifiersBeforeTheRelease() {
        List<String> shuffled = new ArrayList<>(List.of("1.0.0", "0.10.0", "dev", "0.9.1", "1.0.0-SNAPSHOT", "0.9",
                "1.0.0-RC1", "0.9.0.1", "10.0"));
        shuffled.sort(Versions.ORDER);
        assertEquals(List.of("dev", "0.9", "0.9.0.1", "0.9.1", "0.10.0", "1.0.0-RC1", "1.0.0-SNAPSHOT", "1.0.0", "10.0"),
                shuffled);
    }

    @Test
    void missingPartsCountAsZero() {
        assertEquals(0, Versions.compare("1.2", "1.2.0"));
        assertEquals(0, Versions.compare(" 0.1.0\n", "0.1.0"));
        assertEquals(1, Integer.signum(Versions.compare("0.1.0", "0.1.0-SNAPSHOT")));
        assertEquals(-1, Integer.signum(Versions.compare("dev", "0.0.1")));
    }

    @Test
    void theInstalledVersionIsReadBackAndAbsentWithoutAFile(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), Versions.installed(dir));
        Versions.recordInstalled(dir, "0.2.0");
        assertEquals("0.2.0\n", Files.readString(dir.resolve(Versions.FILE)));
        assertEquals(Optional.of("0.2.0"), Versions.installed(dir));
    }
}
