package org.mailcert.agent.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the real /bin/sh through Commons Exec. */
class CommonsExecRunnerTest {
    private final CommonsExecRunner runner = new CommonsExecRunner();

    private static Command sh(String script, Map<String, String> env, Duration timeout) {
        return new Command(List.of("/bin/sh", "-c", script), env, timeout);
    }

    @Test
    void exitCodeAndBothStreamsAreCaptured() throws Exception {
        CommandResult r = runner.run(sh("echo out; echo 'line one' >&2; echo 'last words' >&2; exit 3", Map.of(),
                Duration.ofSeconds(10)));
        assertEquals(3, r.exitCode());
        assertFalse(r.succeeded());
        assertFalse(r.timedOut());
        assertEquals("out\n", r.stdout());
        assertEquals("last words", r.lastLine());
        assertEquals("exited 3: last words", r.describe());
    }

    @Test
    void argumentsArePassedAsGivenWithoutAShell() throws Exception {
        CommandResult r = runner.run(new Command(List.of("/bin/echo", "a b", "$HOME", "'q'"), Map.of(),
                Duration.ofSeconds(10)));
        assertEquals("a b $HOME 'q'\n", r.stdout());
    }

    @Test
    void environmentIsTheAgentsPlusTheCommands() throws Exception {
        CommandResult r = runner.run(sh("echo \"$MAILCERT_CHANGED|${PATH:+path}\"",
                Map.of("MAILCERT_CHANGED", "mail.a.example mail.b.example"), Duration.ofSeconds(10)));
        assertTrue(r.succeeded());
        assertEquals("mail.a.example mail.b.example|path\n", r.stdout());
    }

    @Test
    void aCommandRunningPastItsTimeoutIsKilledEvenIfItsChildHoldsTheOutput() throws Exception {
        long start = System.nanoTime();
        CommandResult r = runner.run(sh("sleep 20", Map.of(), Duration.ofMillis(500)));
        assertTrue(r.timedOut());
        assertFalse(r.succeeded());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
    }

    @Test
    void aMissingProgramIsACommandException() {
        CommandException e = assertThrows(CommandException.class, () -> runner.run(new Command(
                List.of("/nonexistent/reload-it"), Map.of(), Duration.ofSeconds(5))));
        assertTrue(e.getMessage().contains("/nonexistent/reload-it"), e.getMessage());
    }
}
