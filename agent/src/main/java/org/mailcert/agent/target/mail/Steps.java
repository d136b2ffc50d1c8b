package org.mailcert.agent.target.mail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named points inside a target's apply, for crash tests only: when the environment variable
 * {@value #PAUSE_AT} names the step reached, the agent writes the step's name to the file named by
 * {@value #PAUSE_FILE} and then waits for ever, so a test can kill it exactly there. Without the
 * variable (every real deployment) a step costs one map lookup.
 */
public final class Steps {
    /** The step to pause at. */
    public static final String PAUSE_AT = "MAILCERT_TEST_PAUSE_AT";
    /** Where the paused agent says so. */
    public static final String PAUSE_FILE = "MAILCERT_TEST_PAUSE_FILE";

    private Steps() {
    }

    /** Marks that {@code step} (e.g. {@code postfix.files-written}) is reached. */
    public static void reached(String step) {
        String at = System.getenv(PAUSE_AT);
        if (at == null || !at.equals(step)) {
            return;
        }
        String file = System.getenv(PAUSE_FILE);
        try {
            if (file != null) {
                Files.writeString(Path.of(file), step + "\n", StandardCharsets.UTF_8);
            }
            while (true) {
                Thread.sleep(60_000);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
