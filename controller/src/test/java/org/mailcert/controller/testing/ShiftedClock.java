package org.mailcert.controller.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock moved forward by an offset a test can grow: time still passes (timeouts and
 * polling deadlines end), but a test can jump months ahead, e.g. into a certificate's renewal
 * window, while real servers keep real time.
 */
public final class ShiftedClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    /** Moves the clock forward by {@code d}. */
    public void advance(Duration d) {
        offset = offset.plus(d);
    }

    /** Moves the clock forward to {@code at} (no change if it is already later). */
    public void advanceTo(Instant at) {
        Duration d = Duration.between(instant(), at);
        if (!d.isNegative()) {
            advance(d);
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }
}
