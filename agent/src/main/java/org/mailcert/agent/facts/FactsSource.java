package org.mailcert.agent.facts;

import org.mailcert.proto.v1.HostFacts;

/** Where the host facts sent with Hello come from; read again before every connection. */
@FunctionalInterface
public interface FactsSource {
    /**
     * The host's facts as they are now.
     *
     * @throws InterruptedException if interrupted while inspecting the host
     */
    HostFacts read() throws InterruptedException;

    /** A source that always answers {@code facts} (tests, and hosts without mail targets). */
    static FactsSource fixed(HostFacts facts) {
        java.util.Objects.requireNonNull(facts, "facts");
        return () -> facts;
    }
}
