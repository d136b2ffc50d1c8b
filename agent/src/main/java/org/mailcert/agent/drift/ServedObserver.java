package org.mailcert.agent.drift;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.TlsProbe;

/**
 * Makes the live handshakes of a drift cycle: one per name on each endpoint, at most {@code
 * parallel} at a time, and none still running after the cycle's deadline (each probe has its own
 * connect and read timeouts as well). A probe that fails or does not finish in time is observed
 * as a handshake that served nothing, with the reason, so a hanging server shows up as drift and
 * never hangs the agent. Unlike the proof after an apply, there is no retry: what a client would
 * get now is what is observed. Thread-safe.
 */
public final class ServedObserver {
    private final TlsProbe probe;
    private final int parallel;
    private final Duration deadline;

    /**
     * @param probe does the handshakes
     * @param parallel how many run at once
     * @param deadline how long the whole cycle's handshakes may take
     */
    public ServedObserver(TlsProbe probe, int parallel, Duration deadline) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        if (parallel < 1 || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("parallel and deadline must be positive");
        }
        this.parallel = parallel;
    }

    /** One handshake to make: a name (empty for none) on an endpoint. */
    public record Ask(Endpoint endpoint, Optional<String> sni) {
        /** Refuses nulls. */
        public Ask {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(sni, "sni");
        }
    }

    /** How long one cycle's handshakes may take in all. */
    public Duration deadline() {
        return deadline;
    }

    /** Makes every handshake within the deadline from now; the results are in the order asked. */
    public List<Observed.Served> observe(List<Ask> asks) throws InterruptedException {
        return observe(asks, System.nanoTime() + deadline.toNanos());
    }

    /**
     * Makes every handshake, none running after {@code endNanos} ({@link System#nanoTime()}), so the
     * targets of one cycle share one deadline; the results are in the order asked.
     */
    public List<Observed.Served> observe(List<Ask> asks, long endNanos) throws InterruptedException {
        if (asks.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, asks.size()), r -> {
            Thread t = new Thread(r, "mailcert-drift-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Observed.Served>> futures = new ArrayList<>();
            for (Ask a : asks) {
                futures.add(pool.submit(() -> once(a)));
            }
            long end = endNanos;
            List<Observed.Served> out = new ArrayList<>();
            for (int i = 0; i < asks.size(); i++) {
                Ask a = asks.get(i);
                Future<Observed.Served> f = futures.get(i);
                try {
                    out.add(f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException | CancellationException e) {
                    f.cancel(true);
                    out.add(new Observed.Served(a.endpoint(), a.sni(), Optional.empty(),
                            "no answer within the drift cycle's " + deadline.toSeconds() + " s"));
                } catch (ExecutionException e) {
                    out.add(new Observed.Served(a.endpoint(), a.sni(), Optional.empty(),
                            "probe failed: " + e.getCause()));
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private Observed.Served once(Ask a) {
        try {
            ProbeResult r = probe.probe(a.endpoint(), a.sni());
            return new Observed.Served(a.endpoint(), a.sni(), Optional.of(r.leaf()), "");
        } catch (ProbeException e) {
            return new Observed.Served(a.endpoint(), a.sni(), Optional.empty(), e.getMessage());
        }
    }
}
