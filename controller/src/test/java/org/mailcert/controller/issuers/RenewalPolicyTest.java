package org.mailcert.controller.issuers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.acme.AcmeException.Kind;

class RenewalPolicyTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static void assertWithin(Duration base, Instant at, String what) {
        Duration wait = Duration.between(NOW, at);
        long low = Math.round(base.toMillis() * 0.8);
        long high = Math.round(base.toMillis() * 1.2);
        assertTrue(wait.toMillis() >= low && wait.toMillis() <= high, what + ": " + wait + " not within 20% of " + base);
    }

    @Test
    void failuresBackOffAboutOneTenAndHundredMinutesThenDailyWithJitter() {
        for (long seed = 0; seed < 200; seed++) {
            RenewalPolicy p = new RenewalPolicy(new Random(seed));
            assertWithin(Duration.ofMinutes(1), p.afterFailure(NOW, 1, Kind.NETWORK, Optional.empty()).at(), "1st");
            assertWithin(Duration.ofMinutes(10), p.afterFailure(NOW, 2, Kind.DNS, Optional.empty()).at(), "2nd");
            assertWithin(Duration.ofMinutes(100), p.afterFailure(NOW, 3, Kind.CA_REFUSED, Optional.empty()).at(), "3rd");
            assertWithin(Duration.ofDays(1), p.afterFailure(NOW, 4, Kind.NETWORK, Optional.empty()).at(), "4th");
            assertWithin(Duration.ofDays(1), p.afterFailure(NOW, 50, Kind.NETWORK, Optional.empty()).at(), "50th");
        }
    }

    @Test
    void aNewCertificateIsLookedAtAgainAtAThirdOfItsLifetimeButNotSoonerThanAnHour() {
        RenewalPolicy p = new RenewalPolicy(new Random(1));
        org.mailcert.common.testing.TestPki pki = org.mailcert.common.testing.TestPki.rootCa("Policy Root");
        var fresh = pki.leaf("a.example").validity(NOW, NOW.plus(Duration.ofDays(90))).issue().certificate();
        assertEquals(NOW.plus(Duration.ofDays(60)), p.afterIssue(fresh, NOW).at());

        RenewalPolicy.Next due = p.afterIssue(fresh, NOW.plus(Duration.ofDays(70)));
        assertEquals(NOW.plus(Duration.ofDays(70)).plus(RenewalPolicy.MIN_AFTER_ISSUE), due.at());
        assertTrue(due.reason().contains("clock"), due.reason());

        var brief = pki.leaf("b.example").validity(NOW, NOW.plus(Duration.ofMinutes(90))).issue().certificate();
        assertEquals(NOW.plus(Duration.ofMinutes(100)), p.afterIssue(brief, NOW.plus(Duration.ofMinutes(70))).at(),
                "a lifetime under three hours waits a third of it");
    }

    @Test
    void theJitterSpreadsRetries() {
        RenewalPolicy p = new RenewalPolicy(new Random(1));
        Set<Instant> times = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            times.add(p.afterFailure(NOW, 3, Kind.NETWORK, Optional.empty()).at());
        }
        assertTrue(times.size() > 15, "jittered retries differ: " + times.size());
    }

    @Test
    void theCasRetryAfterIsNeverCutShort() {
        RenewalPolicy p = new RenewalPolicy(new Random(7));
        RenewalPolicy.Next n = p.afterFailure(NOW, 1, Kind.NETWORK, Optional.of(Duration.ofMinutes(30)));
        assertEquals(NOW.plus(Duration.ofMinutes(30)), n.at());
        assertTrue(n.reason().contains("Retry-After"), n.reason());
        // A Retry-After shorter than the back-off does not shorten it.
        assertWithin(Duration.ofDays(1), p.afterFailure(NOW, 4, Kind.NETWORK, Optional.of(Duration.ofSeconds(5))).at(),
                "short Retry-After");
    }

    @Test
    void aRateLimitWaitsAtLeastItsRetryAfterOrAnHour() {
        RenewalPolicy p = new RenewalPolicy(new Random(7));
        RenewalPolicy.Next limited = p.afterFailure(NOW, 1, Kind.RATE_LIMITED, Optional.of(Duration.ofHours(3)));
        assertEquals(NOW.plus(Duration.ofHours(3)), limited.at());
        assertTrue(limited.reason().startsWith("rate limited"), limited.reason());
        assertEquals(NOW.plus(RenewalPolicy.RATE_LIMIT_FLOOR),
                p.afterFailure(NOW, 1, Kind.RATE_LIMITED, Optional.empty()).at());
    }

    @Test
    void aTimeInTheAriWindowLiesInsideIt() {
        RenewalPolicy p = new RenewalPolicy(new Random(3));
        Instant start = NOW.plus(Duration.ofDays(10));
        Instant end = start.plus(Duration.ofDays(2));
        Set<Instant> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Instant t = p.inWindow(start, end);
            assertFalse(t.isBefore(start) || !t.isBefore(end), t.toString());
            seen.add(t);
        }
        assertTrue(seen.size() > 90);
        assertEquals(start, p.inWindow(start, start));
    }
}
