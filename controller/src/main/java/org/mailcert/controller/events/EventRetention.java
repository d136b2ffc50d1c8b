package org.mailcert.controller.events;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the event log bounded: events older than the age limit, or beyond the newest count limit, are
 * deleted a minute after start and then every {@link #PERIOD}. Followers and {@code mailcert events}
 * simply see the log start later; sequence numbers are never reused.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class EventRetention {
    /** How often the log is pruned. */
    public static final Duration PERIOD = Duration.ofHours(1);
    /** How long after start the first pruning runs (after an upgrade, the backlog goes then). */
    static final Duration FIRST = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(EventRetention.class);

    /**
     * How much of the log is kept.
     *
     * @param maxAge events older than this go
     * @param maxCount at most this many of the newest events stay
     */
    public record Limits(Duration maxAge, long maxCount) {
        /** The shortest age limit accepted, so that a typo cannot empty the audit log. */
        public static final Duration MIN_AGE = Duration.ofDays(1);
        /** The smallest count limit accepted. */
        public static final long MIN_COUNT = 1_000;
        /** A year, and a million events (about 200 MB). */
        public static final Limits DEFAULT = new Limits(Duration.ofDays(365), 1_000_000);

        /** Refuses limits below {@link #MIN_AGE} and {@link #MIN_COUNT}. */
        public Limits {
            Objects.requireNonNull(maxAge, "maxAge");
            if (maxAge.compareTo(MIN_AGE) < 0 || maxCount < MIN_COUNT) {
                throw new IllegalArgumentException("the event log keeps at least " + MIN_AGE.toDays() + " day and "
                        + MIN_COUNT + " events");
            }
        }
    }

    private final Store store;
    private final Clock clock;
    private final Limits limits;
    private final AtomicLong pruned = new AtomicLong();

    public EventRetention(Store store, Clock clock, Limits limits) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Prunes on {@code timer} after {@link #FIRST}, then every {@link #PERIOD}, until the timer shuts down. */
    public void start(ScheduledExecutorService timer) {
        timer.scheduleWithFixedDelay(this::pruneQuietly, FIRST.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Deletes what the limits no longer keep.
     *
     * @return how many events were deleted
     * @throws ControllerException if the store fails
     */
    public long prune() throws ControllerException {
        long n = store.pruneEvents(clock.instant().minus(limits.maxAge()), limits.maxCount());
        pruned.addAndGet(n);
        return n;
    }

    /** Events deleted since start, for {@code mailcert_events_pruned_total}. */
    public long pruned() {
        return pruned.get();
    }

    private void pruneQuietly() {
        try {
            prune();
        } catch (ControllerException | RuntimeException e) {
            LOG.warn("cannot prune the event log (retried in {}): {}", PERIOD, e.getMessage());
        }
    }
}
