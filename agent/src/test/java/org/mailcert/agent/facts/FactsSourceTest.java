package org.mailcert.agent.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.testing.MutableClock;
import org.mailcert.proto.v1.HostFacts;

class FactsSourceTest {
    @Test
    void aCachedSourceReadsAgainOnlyWhenItsFactsAreOlderThanTheMaximumAge() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
        FactsSource cached = FactsSource.cached(
                () -> HostFacts.newBuilder().setOs("read " + reads.incrementAndGet()).build(), Duration.ofMinutes(5),
                clock);

        assertEquals("read 1", cached.read().getOs());
        clock.advance(Duration.ofMinutes(4));
        assertEquals("read 1", cached.read().getOs(), "reused within five minutes");
        clock.advance(Duration.ofMinutes(1));
        assertEquals("read 2", cached.read().getOs(), "read again once five minutes have passed");
        assertEquals(2, reads.get());
    }
}
