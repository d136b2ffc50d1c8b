package org.mailcert.controller.issuers;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.mailcert.controller.acme.AcmeException;

/**
 * When to order again: a third of the lifetime before expiry, a random time inside an ARI window,
 * and the back-off after failures (about 1 min, 10 min, 100 min, then daily, each &plusmn;20 %
 * jitter, never sooner than the CA's Retry-After, and at least an hour after a rate limit).
 */
public final class RenewalPolicy {
    /** The back-off after the 1st, 2nd, 3rd and every later failure in a row. */
    static final List<Duration> BACKOFF = List.of(Duration.ofMinutes(1), Duration.ofMinutes(10),
            Duration.ofMinutes(100), Duration.ofDays(1));
    /** Jitter: each back-off is multiplied by a factor in [1 - JITTER, 1 + JITTER). */
    static final double JITTER = 0.2;
    /** The shortest wait after a rate-limit error without a Retry-After. */
    static final Duration RATE_LIMIT_FLOOR = Duration.ofHours(1);
    /** How often to ask an ARI CA for its window when it names no Retry-After. */
    static final Duration ARI_POLL = Duration.ofHours(6);
    /** The shortest wait after an issuance before the certificate is looked at again. */
    static final Duration MIN_AFTER_ISSUE = Duration.ofHours(1);

    private final RandomGenerator random;

    public RenewalPolicy(RandomGenerator random) {
        this.random = random;
    }

    /** A time and why it was chosen. */
    public record Next(Instant at, String reason) {
    }

    /** When a third of the certificate's lifetime is left. */
    public static Instant oneThirdLeft(X509Certificate leaf) {
        Instant from = leaf.getNotBefore().toInstant();
        Instant to = leaf.getNotAfter().toInstant();
        return to.minus(Duration.between(from, to).dividedBy(3));
    }

    /** The renewal time without ARI. */
    public Next withoutAri(X509Certificate leaf) {
        return new Next(oneThirdLeft(leaf), "a third of the lifetime left");
    }

    /**
     * When to look at a certificate just issued: when a third of its lifetime is left, but not
     * sooner than {@link #MIN_AFTER_ISSUE} (or a third of its lifetime, if shorter) from {@code now}.
     * A new certificate that is already due means the controller's clock runs ahead of the CA's (or
     * the CA issues for a very short time); ordering again at once would re-order in a loop.
     */
    public Next afterIssue(X509Certificate leaf, Instant now) {
        Next third = withoutAri(leaf);
        Duration lifetime = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        Duration least = lifetime.dividedBy(3).compareTo(MIN_AFTER_ISSUE) < 0 ? lifetime.dividedBy(3) : MIN_AFTER_ISSUE;
        Instant floor = now.plus(least);
        if (third.at().isBefore(floor)) {
            return new Next(floor, "the new certificate was due for renewal when issued (a third of its lifetime"
                    + " left at " + third.at() + "; is the controller's clock ahead of the CA's?), looking again in "
                    + least.toMinutes() + " min");
        }
        return third;
    }

    /** A uniformly random time in [start, end); {@code start} if the window is empty. */
    public Instant inWindow(Instant start, Instant end) {
        long span = Duration.between(start, end).toMillis();
        return span <= 0 ? start : start.plusMillis(random.nextLong(span));
    }

    /** When to try again after the {@code failures}-th failure in a row (1 for the first). */
    public Next afterFailure(Instant now, int failures, AcmeException.Kind kind, Optional<Duration> retryAfter) {
        Duration base = BACKOFF.get(Math.min(Math.max(failures, 1), BACKOFF.size()) - 1);
        double factor = 1 - JITTER + random.nextDouble() * 2 * JITTER;
        Duration wait = Duration.ofMillis(Math.round(base.toMillis() * factor));
        String reason = "back-off after " + failures + (failures == 1 ? " failure" : " failures");
        if (kind == AcmeException.Kind.RATE_LIMITED && wait.compareTo(RATE_LIMIT_FLOOR) < 0 && retryAfter.isEmpty()) {
            wait = RATE_LIMIT_FLOOR;
            reason = "rate limited by the CA";
        }
        if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
            wait = retryAfter.get();
            reason = (kind == AcmeException.Kind.RATE_LIMITED ? "rate limited by the CA" : "the CA's Retry-After")
                    + " (" + failures + (failures == 1 ? " failure)" : " failures)");
        }
        return new Next(now.plus(wait), reason);
    }
}
