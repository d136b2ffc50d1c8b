package org.mailcert.agent.sync;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with full jitter: each delay is uniformly random between 0 and the current
 * cap, which starts at the base and doubles after every delay up to the maximum; a healthy stream
 * resets it. Not thread-safe.
 */
final class Backoff {
    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;
    private Duration cap;

    /**
     * Creates the back-off.
     *
     * @param random uniform values in [0, 1)
     */
    Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.base = Objects.requireNonNull(base, "base");
        this.max = Objects.requireNonNull(max, "max");
        this.random = Objects.requireNonNull(random, "random");
        this.cap = base;
    }

    /** The cap the next delay is drawn under. */
    Duration cap() {
        return cap;
    }

    /** The maximum cap. */
    Duration max() {
        return max;
    }

    /** A random delay in [0, cap], after which the cap doubles (up to the maximum). */
    Duration next() {
        Duration delay = jitter(cap, random);
        Duration doubled = cap.multipliedBy(2);
        cap = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    /** Back to the base cap. */
    void reset() {
        cap = base;
    }

    /** A uniformly random duration in [0, upTo]. */
    static Duration jitter(Duration upTo, DoubleSupplier random) {
        double r = Math.min(1.0, Math.max(0.0, random.getAsDouble()));
        return Duration.ofMillis(Math.round(upTo.toMillis() * r));
    }
}
