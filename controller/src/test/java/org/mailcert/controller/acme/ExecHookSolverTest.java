package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.acme.AcmeException.Kind;

class ExecHookSolverTest {
    private static final DnsSolver.Record RECORD =
            new DnsSolver.Record("example.com", "_acme-challenge.example.com.", "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0");

    @TempDir
    Path tmp;

    @Test
    void theHookGetsTheActionDomainRecordAndValueInItsEnvironment() throws Exception {
        Path out = tmp.resolve("env.txt");
        ExecHookSolver hook = new ExecHookSolver(List.of("/bin/sh", "-c",
                "echo \"$MAILCERT_ACTION|$MAILCERT_DOMAIN|$MAILCERT_RECORD|$MAILCERT_VALUE|$1\" >> \"$2\"",
                "hook", "an argument", out.toString()), Duration.ofSeconds(10));

        hook.present(RECORD);
        hook.cleanup(RECORD);

        assertEquals(List.of(
                "present|example.com|_acme-challenge.example.com.|LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0|an argument",
                "cleanup|example.com|_acme-challenge.example.com.|LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0|an argument"),
                Files.readAllLines(out));
    }

    @Test
    void theControllersOwnEnvironmentIsPassedOn() throws Exception {
        Path out = tmp.resolve("path.txt");
        new ExecHookSolver(List.of("/bin/sh", "-c", "printf %s \"$PATH\" > \"$1\"", "hook", out.toString()),
                Duration.ofSeconds(10)).present(RECORD);
        assertEquals(System.getenv("PATH"), Files.readString(out));
    }

    @Test
    void aCommandLineIsSplitWithoutAShell() throws Exception {
        Path out = tmp.resolve("args.txt");
        ExecHookSolver hook = new ExecHookSolver("/bin/sh -c 'printf \"%s|\" \"$@\" > " + out + "' hook \"a b\" $HOME",
                Duration.ofSeconds(10));
        hook.present(RECORD);
        assertEquals("a b|$HOME|", Files.readString(out));
    }

    @Test
    void aNonZeroExitIsADnsFailureWithTheLastLineOfStandardError() {
        ExecHookSolver hook = new ExecHookSolver(List.of("/bin/sh", "-c",
                "echo 'trying ns1' >&2; echo 'REFUSED: zone example.com not served here' >&2; echo; exit 3"),
                Duration.ofSeconds(10));

        AcmeException e = assertThrows(AcmeException.class, () -> hook.present(RECORD));

        assertEquals(Kind.DNS, e.kind());
        assertEquals("the DNS hook /bin/sh failed to present _acme-challenge.example.com. for example.com: "
                + "exit 3: REFUSED: zone example.com not served here", e.getMessage());
    }

    @Test
    void aNonZeroExitWithoutOutputSaysOnlyTheExitCode() {
        ExecHookSolver hook = new ExecHookSolver(List.of("/bin/false"), Duration.ofSeconds(10));
        AcmeException e = assertThrows(AcmeException.class, () -> hook.cleanup(RECORD));
        assertEquals(Kind.DNS, e.kind());
        assertTrue(e.getMessage().endsWith("failed to cleanup _acme-challenge.example.com. for example.com: exit 1"),
                e.getMessage());
    }

    @Test
    void aHookThatHangsIsKilledAtItsTimeout() {
        ExecHookSolver hook = new ExecHookSolver(List.of("/bin/sleep", "30"), Duration.ofMillis(500));
        long start = System.nanoTime();

        AcmeException e = assertThrows(AcmeException.class, () -> hook.present(RECORD));

        assertEquals(Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("did not finish within 500 ms and was killed"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0,
                "the hook was not waited for");
    }

    @Test
    void aChildLeftRunningInTheBackgroundDoesNotHoldTheHookUp() throws Exception {
        ExecHookSolver hook = new ExecHookSolver(List.of("/bin/sh", "-c", "sleep 20 >&2 & echo started >&2; exit 0"),
                Duration.ofSeconds(10));
        long start = System.nanoTime();

        hook.present(RECORD);

        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0,
                "returned once the hook itself exited");
    }

    @Test
    void aMissingProgramIsADnsFailure() {
        ExecHookSolver hook = new ExecHookSolver(List.of(tmp.resolve("no-such-hook").toString()), Duration.ofSeconds(5));
        AcmeException e = assertThrows(AcmeException.class, () -> hook.present(RECORD));
        assertEquals(Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("cannot run it"), e.getMessage());
    }

    @Test
    void itDescribesItselfByItsProgram() {
        assertEquals("exec /usr/local/bin/dns-hook",
                new ExecHookSolver("/usr/local/bin/dns-hook --zone example.com", Duration.ofSeconds(5)).describe());
    }

    @Test
    void anEmptyCommandOrTimeoutIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ExecHookSolver("  ", Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> new ExecHookSolver(List.of(), Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> new ExecHookSolver("/bin/true", Duration.ZERO));
    }
}
