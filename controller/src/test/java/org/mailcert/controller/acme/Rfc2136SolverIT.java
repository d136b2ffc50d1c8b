package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.testing.BindInstance;

/** {@link Rfc2136Solver}, {@link AuthoritativeCheck} and {@link Delegation} against a real BIND 9 on loopback. */
class Rfc2136SolverIT {
    @TempDir
    static Path dir;
    private static BindInstance bind;

    @BeforeAll
    static void startBind() throws Exception {
        bind = BindInstance.start(dir.resolve("bind"));
    }

    @AfterAll
    static void stopBind() {
        if (bind != null) {
            bind.close();
        }
    }

    private static Rfc2136Solver solver() {
        return new Rfc2136Solver(Rfc2136Solver.Settings.of(bind.address(), BindInstance.KEY_NAME, bind.secret()));
    }

    private static AuthoritativeCheck check() {
        return new AuthoritativeCheck(Delegation.using(List.of(bind.address()), bind.port()), Clock.systemUTC());
    }

    @Test
    void aPresentedValueIsServedAndSeenAtEveryAuthoritativeServer() throws Exception {
        DnsSolver.Record record = new DnsSolver.Record("example.test", "_acme-challenge.example.test.", "present-1");
        solver().present(record);
        try {
            assertTrue(bind.txt(record.recordName()).contains("present-1"), bind.txt(record.recordName()).toString());
            check().awaitVisible(record, Duration.ofSeconds(10));
        } finally {
            solver().cleanup(record);
        }
        assertEquals(List.of(), bind.txt(record.recordName()));
    }

    @Test
    void presentingTwiceIsHarmlessAndCleanupRemovesOnlyItsOwnValue() throws Exception {
        String name = "_acme-challenge.mail.example.test.";
        DnsSolver.Record wildcard = new DnsSolver.Record("mail.example.test", name, "value-wildcard");
        DnsSolver.Record apex = new DnsSolver.Record("mail.example.test", name, "value-apex");
        Rfc2136Solver solver = solver();
        solver.present(wildcard);
        solver.present(wildcard);
        solver.present(apex);
        assertEquals(List.of("value-apex", "value-wildcard"), bind.txt(name).stream().sorted().toList());

        solver.cleanup(wildcard);
        assertEquals(List.of("value-apex"), bind.txt(name));
        solver.cleanup(wildcard); // already gone: still fine
        solver.cleanup(apex);
        assertEquals(List.of(), bind.txt(name));
    }

    @Test
    void aWrongSecretIsRefusedNamingTheKey() {
        byte[] wrong = bind.secret();
        wrong[0] ^= 0x55;
        Rfc2136Solver solver = new Rfc2136Solver(Rfc2136Solver.Settings.of(bind.address(), BindInstance.KEY_NAME, wrong));
        AcmeException e = assertThrows(AcmeException.class,
                () -> solver.present(new DnsSolver.Record("example.test", "_acme-challenge.example.test.", "x")));
        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("refused the TSIG key '" + BindInstance.KEY_NAME + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("BADSIG"), e.getMessage());
    }

    @Test
    void anUnknownKeyNameIsRefusedAsBadKey() {
        Rfc2136Solver solver = new Rfc2136Solver(Rfc2136Solver.Settings.of(bind.address(), "no-such-key", bind.secret()));
        AcmeException e = assertThrows(AcmeException.class,
                () -> solver.present(new DnsSolver.Record("example.test", "_acme-challenge.example.test.", "x")));
        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("refused the TSIG key 'no-such-key'"), e.getMessage());
        assertTrue(e.getMessage().contains("BADKEY"), e.getMessage());
    }

    @Test
    void aNameOutsideTheUpdatePolicyIsRefused() throws Exception {
        AcmeException e = assertThrows(AcmeException.class,
                () -> solver().present(new DnsSolver.Record("example.test", "www.example.test.", "nope")));
        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("not allowed to update www.example.test."), e.getMessage());
        assertTrue(e.getMessage().contains("update-policy"), e.getMessage());
        assertEquals(List.of(), bind.txt("www.example.test."));
    }

    @Test
    void aConfiguredZoneThatDoesNotHoldTheNameIsNotZone() {
        Rfc2136Solver solver = new Rfc2136Solver(new Rfc2136Solver.Settings(bind.address(), BindInstance.KEY_NAME,
                "hmac-sha256", bind.secret(), Optional.of("delegate.test"), null, null));
        AcmeException e = assertThrows(AcmeException.class,
                () -> solver.present(new DnsSolver.Record("example.test", "_acme-challenge.example.test.", "x")));
        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("NOTZONE"), e.getMessage());
    }

    @Test
    void anUnreachableServerFailsWithinTheTimeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Rfc2136Solver solver = new Rfc2136Solver(new Rfc2136Solver.Settings("127.0.0.1:" + closed, BindInstance.KEY_NAME,
                "hmac-sha256", bind.secret(), Optional.of("example.test"), null, Duration.ofSeconds(2)));
        long start = System.nanoTime();
        AcmeException e = assertThrows(AcmeException.class,
                () -> solver.present(new DnsSolver.Record("example.test", "_acme-challenge.example.test.", "x")));
        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("127.0.0.1:" + closed), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
    }

    @Test
    void aCnameDelegatesTheRecordToAnotherZone() throws Exception {
        String original = "_acme-challenge.cname.example.test.";
        Delegation lookup = Delegation.using(List.of(bind.address()), bind.port());
        String target = lookup.target(original);
        assertEquals("cname.acme.delegate.test.", target);
        assertEquals("_acme-challenge.example.test.", lookup.target("_acme-challenge.example.test"));

        DnsSolver.Record atTarget = new DnsSolver.Record("cname.example.test", target, "delegated-1");
        solver().present(atTarget);
        try {
            assertEquals(List.of("delegated-1"), bind.txt(target));
            check().awaitVisible(new DnsSolver.Record("cname.example.test", original, "delegated-1"), Duration.ofSeconds(10));
        } finally {
            solver().cleanup(atTarget);
        }
        assertEquals(List.of(), bind.txt(target));
    }

    @Test
    void aValueNeverPresentedTimesOutBoundedNamingTheServer() {
        DnsSolver.Record record = new DnsSolver.Record("example.test", "_acme-challenge.example.test.", "never-set");
        long start = System.nanoTime();
        AcmeException e = assertThrows(AcmeException.class, () -> check().awaitVisible(record, Duration.ofSeconds(2)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("not visible at ns1.example.test"), e.getMessage());
        assertTrue(e.getMessage().contains("after 2 s"), e.getMessage());
        assertTrue(took.compareTo(Duration.ofMillis(1900)) >= 0 && took.compareTo(Duration.ofSeconds(6)) < 0, took.toString());
    }
}
