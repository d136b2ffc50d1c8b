package org.mailcert.agent.target.dovecot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.testing.MutableClock;

/** The first handshake after a reload: its deadline grows with the configuration, and a slow one within it passes. */
class DovecotWarmUpTest {
    private static final Endpoint IMAPS = new Endpoint("imaps", "127.0.0.1", 993, Protocol.IMPLICIT);
    private final TestPki.Leaf leaf = TestBindings.leaf("mail.example.com");
    private final ServedCheck.Expectation expected = new ServedCheck.Expectation(Optional.of("mail.example.com"),
            TestBindings.sha(leaf), "mail/example.com");

    @Test
    void theDeadlineFor5000NamesIs65Seconds() {
        assertEquals(Duration.ofSeconds(65), WarmUp.deadline(Duration.ofSeconds(15), 5000));
    }

    @Test
    void theDeadlineIsNeverShorterThanTheProbeDeadline() {
        assertEquals(Duration.ofSeconds(15), WarmUp.deadline(Duration.ofSeconds(3), 0));
        assertEquals(Duration.ofMillis(15_030), WarmUp.deadline(Duration.ofSeconds(3), 3));
        assertEquals(Duration.ofSeconds(90), WarmUp.deadline(Duration.ofSeconds(90), 5000));
    }

    @Test
    void aSlowFirstHandshakeWithinTheWarmUpDeadlineIsAccepted() throws Exception {
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_800_000_000_000L));
        // Four attempts time out after 10 s each while the config process parses, the fifth is served.
        SlowProbe probe = new SlowProbe(clock, 4, Duration.ofSeconds(10), leaf);
        WarmUp.Result r = new WarmUp(probe, clock).first(IMAPS, expected, WarmUp.deadline(Duration.ofSeconds(15), 5000));
        assertEquals(Optional.empty(), r.miss());
        assertEquals(Duration.ofSeconds(40), r.took());
        assertEquals(5, probe.calls.get());
    }

    @Test
    void theSameSlowHandshakeMissesTheNormalProbeDeadline() throws Exception {
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_800_000_000_000L));
        SlowProbe probe = new SlowProbe(clock, 4, Duration.ofSeconds(10), leaf);
        WarmUp.Result r = new WarmUp(probe, clock).first(IMAPS, expected, Duration.ofSeconds(15));
        assertTrue(r.miss().isPresent());
        assertTrue(r.miss().get().describe().contains("warm-up deadline 15 s"), r.miss().get().describe());
        assertEquals(2, probe.calls.get(), "gave up after the second timed-out attempt");
    }

    @Test
    void aHandshakeSlowerThanTheWarmUpDeadlineMisses() throws Exception {
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_800_000_000_000L));
        SlowProbe probe = new SlowProbe(clock, 100, Duration.ofSeconds(10), leaf);
        WarmUp.Result r = new WarmUp(probe, clock).first(IMAPS, expected, WarmUp.deadline(Duration.ofSeconds(15), 5000));
        assertTrue(r.miss().isPresent());
        assertEquals(7, probe.calls.get(), "attempts at 0, 10, ... 60 s");
        assertTrue(r.miss().get().served().contains("read timed out"), r.miss().get().served());
    }

    /** A clock that moves only when told. */
    /** Times out (moving the clock by {@code each}) for the first {@code slow} attempts, then serves the leaf. */
    static final class SlowProbe implements TlsProbe {
        final AtomicInteger calls = new AtomicInteger();
        private final MutableClock clock;
        private final int slow;
        private final Duration each;
        private final TestPki.Leaf leaf;

        SlowProbe(MutableClock clock, int slow, Duration each, TestPki.Leaf leaf) {
            this.clock = clock;
            this.slow = slow;
            this.each = each;
            this.leaf = leaf;
        }

        @Override
        public ProbeResult probe(Endpoint endpoint, Optional<String> sni) throws ProbeException {
            if (calls.incrementAndGet() <= slow) {
                clock.advance(each);
                throw new ProbeException(endpoint + ": read timed out", null);
            }
            return new ProbeResult(leaf.certificate(), TestBindings.sha(leaf));
        }
    }
}
