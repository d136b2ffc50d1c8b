package org.mailcert.agent.facts;

import org.mailcert.proto.v1.HostFacts;

/**
 * Where the host facts sent with Hello come from; read again before every connection and with each
 * drift cycle (a change is sent to the controller).
 */
@FunctionalInterface
public interface FactsSource {
    /**
     * The host's facts as they are now.
     *
     * @throws InterruptedException if interrupted while inspecting the host
     */
    HostFacts read() throws InterruptedException;

    /** Makes the next {@link #read()} inspect the host again (a watched configuration file changed). */
    default void invalidate() {
    }

    /**
     * A source that reads {@code source} at most once per {@code maxAge}: inspecting a large
     * Dovecot configuration takes seconds, and a controller restart makes every agent reconnect at
     * once, so a reconnect soon after the last one reuses what was read then.
     */
    static FactsSource cached(FactsSource source, java.time.Duration maxAge, java.time.Clock clock) {
        java.util.Objects.requireNonNull(source, "source");
        return new FactsSource() {
            private HostFacts last;
            private java.time.Instant readAt;

            @Override
            public synchronized HostFacts read() throws InterruptedException {
                java.time.Instant now = clock.instant();
                if (last == null || !now.isBefore(readAt.plus(maxAge))) {
                    last = source.read();
                    readAt = now;
                }
                return last;
            }

            @Override
            public synchronized void invalidate() {
                last = null;
            }
        };
    }

    /** A source that always answers {@code facts} (tests, and hosts without mail targets). */
    static FactsSource fixed(HostFacts facts) {
        java.util.Objects.requireNonNull(facts, "facts");
        return () -> facts;
    }
}
