package org.mailcert.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailcert-controller}'s settings that are refused before anything starts. */
class ControllerMainTest {
    @TempDir
    Path tmp;

    private String refused(String... settings) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[settings.length + 4];
        args[0] = "--data-dir";
        args[1] = tmp.resolve("data").toString();
        args[2] = "--listen";
        args[3] = "127.0.0.1:0";
        System.arraycopy(settings, 0, args, 4, settings.length);
        int code = ControllerMain.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, text);
        assertEquals(1, text.strip().lines().count(), text);
        assertFalse(Files.exists(tmp.resolve("data")), "nothing may be created");
        return text;
    }

    @Test
    void eventLogLimitsBelowTheMinimumAreRefusedBeforeAnythingStarts() {
        assertTrue(refused("--event-retention", "12h").contains("the event log keeps at least 1 day and 1000 events"));
        assertTrue(refused("--event-max", "10").contains("--event-max 10"));
        assertTrue(refused("--event-retention", "soon").startsWith("mailcert-controller: --event-retention: "));
    }
}
