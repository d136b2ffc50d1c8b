package org.mailcert.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void capsDoubleFromOneSecondToSixty() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5);
        List<Long> caps = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            caps.add(b.cap().toSeconds());
            b.next();
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L), caps);
    }

    @Test
    void fullJitterDrawsEachDelayBetweenZeroAndTheCap() {
        Random seeded = new Random(42);
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), seeded::nextDouble);
        for (int i = 0; i < 200; i++) {
            Duration cap = b.cap();
            Duration d = b.next();
            assertTrue(!d.isNegative() && d.compareTo(cap) <= 0, d + " within [0, " + cap + "]");
        }
        assertEquals(Duration.ZERO, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.0).next());
        assertEquals(Duration.ofMillis(500), new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5)
                .next());
    }

    @Test
    void resetStartsOverAtTheBase() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5);
        b.next();
        b.next();
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.cap());
    }
}
