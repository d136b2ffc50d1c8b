package org.mailcert.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares rendered output (CLI tables, Postfix maps, Dovecot includes, command lists, file trees)
 * with a file under the module's {@code src/test/resources/golden/<folder>/}. Run the tests with
 * {@code -Dgolden.update=true} to rewrite the files from the current output instead, e.g.
 * {@code mvn -B -o -q verify -pl agent -am -Dtest='PostfixTargetTest' -Dsurefire.failIfNoSpecifiedTests=false
 * -DskipITs -Dgolden.update=true}, then review the diff.
 */
public final class Golden {
    /** The system property that switches to rewriting. */
    public static final String UPDATE_PROPERTY = "golden.update";

    private Golden() {
    }

    /** Asserts that {@code actual} equals {@code golden/<folder>/<name>}, or rewrites it in update mode. */
    public static void assertMatches(String folder, String name, String actual) {
        Path file = directory(folder).resolve(name);
        try {
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) {
                fail("no golden file " + file + "; run the tests with -D" + UPDATE_PROPERTY + "=true to create it");
            }
            assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
                    "output differs from golden file " + file + " (-D" + UPDATE_PROPERTY + "=true rewrites it)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source folder, not target/test-classes, so updates land in the working tree. */
    private static Path directory(String folder) {
        String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
        return Path.of(basedir, "src", "test", "resources", "golden", folder);
    }
}
