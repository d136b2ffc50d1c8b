package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Status;

/** {@link Polling}: bounded, honours Retry-After, stops at the wanted state. */
class AcmePollingTest {
    /** A resource whose status moves through a script, one step per fetch. */
    private static final class Scripted implements PollableResource {
        private final Deque<Status> next;
        private final Optional<Instant> retryAfter;
        private Status status = Status.PENDING;
        private int fetches;

        Scripted(Optional<Instant> retryAfter, Status... steps) {
            this.next = new ArrayDeque<>(Arrays.asList(steps));
            this.retryAfter = retryAfter;
        }

        @Override
        public Status getStatus() {
            return status;
        }

        @Override
        public Optional<Instant> fetch() {
            fetches++;
            if (!next.isEmpty()) {
                status = next.poll();
            }
            return retryAfter;
        }
    }

    @Test
    void pollsUntilAWantedStatus() throws Exception {
        Scripted resource = new Scripted(Optional.empty(), Status.PENDING, Status.PROCESSING, Status.VALID);
        Status reached = new Polling(Clock.systemUTC()).until(resource, EnumSet.of(Status.VALID, Status.INVALID),
                Duration.ofSeconds(10), "the order");
        assertEquals(Status.VALID, reached);
        assertEquals(3, resource.fetches);
    }

    @Test
    void aStatusAlreadyReachedNeedsNoFetch() throws Exception {
        Scripted resource = new Scripted(Optional.empty());
        assertEquals(Status.PENDING, new Polling(Clock.systemUTC()).until(resource, EnumSet.of(Status.PENDING),
                Duration.ofSeconds(1), "x"));
        assertEquals(0, resource.fetches);
    }

    @Test
    void givesUpAtTheTimeoutEvenWhenTheClockStandsStill() {
        Scripted resource = new Scripted(Optional.empty(), Status.PENDING);
        Polling polling = new Polling(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        long start = System.nanoTime();

        AcmeException e = assertThrows(AcmeException.class, () -> polling.until(resource, EnumSet.of(Status.VALID),
                Duration.ofMillis(600), "the dns-01 challenge for example.com"));

        assertEquals(Kind.NETWORK, e.kind());
        assertEquals("the dns-01 challenge for example.com was still pending after 600 ms", e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    void aRetryAfterBeyondTheDeadlineEndsTheWaitAtOnce() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Scripted resource = new Scripted(Optional.of(now.plusSeconds(3600)), Status.PROCESSING);
        Polling polling = new Polling(Clock.fixed(now, ZoneOffset.UTC));
        long start = System.nanoTime();

        assertThrows(AcmeException.class, () -> polling.until(resource, EnumSet.of(Status.VALID),
                Duration.ofSeconds(120), "the order"));

        assertEquals(1, resource.fetches);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0);
    }
}
