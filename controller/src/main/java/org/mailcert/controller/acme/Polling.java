package org.mailcert.controller.acme;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Status;

/**
 * Polls an ACME resource until it reaches one of the wanted states, honouring the CA's
 * Retry-After and otherwise backing off from 250 ms to 2 s, and gives up after a timeout. The
 * deadline is read from the injected clock, and the time actually slept also counts, so a clock
 * that stands still cannot make it wait for ever.
 */
final class Polling {
    static final Duration MIN_WAIT = Duration.ofMillis(50);
    static final Duration FIRST_INTERVAL = Duration.ofMillis(250);
    static final Duration MAX_INTERVAL = Duration.ofSeconds(2);

    private final Clock clock;

    Polling(Clock clock) {
        this.clock = clock;
    }

    /**
     * Fetches {@code resource} until its status is in {@code wanted}; returns that status.
     *
     * @throws AcmeException of kind {@link Kind#NETWORK} if it is not reached within {@code timeout}
     */
    Status until(PollableResource resource, Set<Status> wanted, Duration timeout, String what)
            throws org.shredzone.acme4j.exception.AcmeException, AcmeException, InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        Duration slept = Duration.ZERO;
        Duration interval = FIRST_INTERVAL;
        while (true) {
            Status status = resource.getStatus();
            if (wanted.contains(status)) {
                return status;
            }
            Optional<Instant> retryAfter = resource.fetch();
            status = resource.getStatus();
            if (wanted.contains(status)) {
                return status;
            }
            Instant now = clock.instant();
            Duration wait = retryAfter.map(t -> Duration.between(now, t)).orElse(interval);
            if (wait.compareTo(MIN_WAIT) < 0) {
                wait = MIN_WAIT;
            }
            Duration left = Duration.between(now, deadline);
            if (now.plus(wait).isAfter(deadline) || slept.plus(wait).compareTo(timeout) > 0 || left.isNegative()) {
                throw new AcmeException(Kind.NETWORK, what + " was still " + status.name().toLowerCase()
                        + " after " + text(timeout));
            }
            Thread.sleep(wait.toMillis());
            slept = slept.plus(wait);
            interval = min(interval.multipliedBy(2), MAX_INTERVAL);
        }
    }

    /** A duration for a message: {@code 600 ms}, {@code 120 s}. */
    static String text(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
