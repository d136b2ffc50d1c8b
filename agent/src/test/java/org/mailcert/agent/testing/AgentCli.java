package org.mailcert.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.mailcert.agent.cli.AgentMain;

/** Runs the {@code mailcert-agent} command line in this JVM and keeps what it printed. */
public final class AgentCli {
    private AgentCli() {
    }

    /**
     * One command line's outcome.
     *
     * @param code the exit code
     * @param out what it printed on stdout
     * @param err what it printed on stderr
     */
    public record Run(int code, String out, String err) {
    }

    /** Runs {@code mailcert-agent args...} with an empty environment. */
    public static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AgentMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Asserts the exit code and one line on stderr, prefixed and without a stack trace, holding {@code fragment}. */
    public static void assertOneLineError(Run run, int code, String fragment) {
        assertEquals(code, run.code(), run.err());
        assertTrue(run.err().startsWith("mailcert-agent: "), run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
        assertTrue(run.err().contains(fragment), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace");
    }
}
