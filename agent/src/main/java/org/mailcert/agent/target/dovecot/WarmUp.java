package org.mailcert.agent.target.dovecot;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.mail.ServedCheck;

/**
 * The first handshake after a reload, which waits while Dovecot's new config process parses the
 * whole configuration and reads every certificate file (about 9 s at 5,000 {@code local_name}
 * blocks with 2.3.19, more on a loaded machine). It gets a deadline that grows with the
 * configuration, {@link #deadline}; once it has succeeded the config process is warm and every
 * other handshake gets the normal probe deadline. Retries until the expected leaf is served or the
 * deadline has passed. Thread-safe.
 */
final class WarmUp {
    /** The warm-up deadline for a configuration without {@code local_name} blocks. */
    static final Duration BASE = Duration.ofSeconds(15);
    /** What each {@code local_name} block adds to the warm-up deadline. */
    static final Duration PER_BLOCK = Duration.ofMillis(10);
    private static final long RETRY_MILLIS = 100;

    private final TlsProbe probe;
    private final Clock clock;

    /**
     * @param probe does the handshakes
     * @param clock measures the deadline
     */
    WarmUp(TlsProbe probe, Clock clock) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** How long the first handshake after a reload may take: max(probe deadline, 15 s + 10 ms per block). */
    static Duration deadline(Duration probeDeadline, int localNameBlocks) {
        Duration scaled = BASE.plus(PER_BLOCK.multipliedBy(Math.max(0, localNameBlocks)));
        return scaled.compareTo(probeDeadline) > 0 ? scaled : probeDeadline;
    }

    /**
     * What the first handshake showed.
     *
     * @param miss empty when the expected leaf was served in time
     * @param took from the first attempt to the last answer
     */
    record Result(Optional<ServedCheck.Miss> miss, Duration took) {
    }

    /** Handshakes with {@code endpoint} until it serves what {@code x} expects or {@code deadline} has passed. */
    Result first(Endpoint endpoint, ServedCheck.Expectation x, Duration deadline) throws InterruptedException {
        long start = clock.millis();
        long end = start + deadline.toMillis();
        while (true) {
            String served;
            try {
                ProbeResult r = probe.probe(endpoint, x.sni());
                if (r.leafSha256().equals(x.leafSha256())) {
                    return new Result(Optional.empty(), Duration.ofMillis(clock.millis() - start));
                }
                served = "served leaf " + r.leafSha256().substring(0, 16) + " ("
                        + r.leaf().getSubjectX500Principal().getName() + ")";
            } catch (ProbeException e) {
                served = "no handshake: " + e.getMessage();
            }
            long now = clock.millis();
            if (now + RETRY_MILLIS > end) {
                return new Result(Optional.of(new ServedCheck.Miss(endpoint, x, served + " (first handshake after"
                        + " the reload, warm-up deadline " + deadline.toSeconds() + " s)")), Duration.ofMillis(now - start));
            }
            Thread.sleep(RETRY_MILLIS);
        }
    }
}
