package org.mailcert.agent.sync;

import java.time.Duration;
import java.util.Objects;
import org.mailcert.agent.facts.FactsSource;
import org.mailcert.proto.v1.HostFacts;

/**
 * Settings of the sync loop.
 *
 * @param startDelay upper bound of the random delay before the first connection
 * @param facts what Hello reports about the host, read again before every connection
 */
public record SyncSettings(Duration startDelay, FactsSource facts) {
    /** Back-off base: the first cap. */
    public static final Duration BACKOFF_BASE = Duration.ofSeconds(1);
    /** Back-off cap, also the retry interval of a revoked host. */
    public static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
    /** How long renewal is put off after a renewed certificate was refused. */
    public static final Duration RENEWAL_PAUSE = Duration.ofHours(1);

    /** Refuses nulls and a negative delay. */
    public SyncSettings {
        Objects.requireNonNull(startDelay, "startDelay");
        Objects.requireNonNull(facts, "facts");
        if (startDelay.isNegative()) {
            throw new IllegalArgumentException("the start delay cannot be negative");
        }
    }

    /** Settings whose Hello always reports the same {@code facts}. */
    public SyncSettings(Duration startDelay, HostFacts facts) {
        this(startDelay, FactsSource.fixed(facts));
    }
}
