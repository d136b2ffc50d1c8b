package org.mailcert.agent.target.mail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.TlsProbe;

/**
 * Proves by live handshakes that every endpoint serves the expected certificate for every name.
 * A server that has just reloaded may serve the old certificate for a moment, so each pair is
 * retried until it matches or the deadline passes. Probes run a few at a time. Thread-safe.
 */
public final class ServedCheck {
    private static final long RETRY_MILLIS = 100;
    private static final int PARALLEL = 4;

    private final TlsProbe probe;
    private final Duration deadline;

    /**
     * @param probe does the handshakes
     * @param deadline how long a pair may take to show the expected certificate
     */
    public ServedCheck(TlsProbe probe, Duration deadline) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
    }

    /**
     * One thing that must be served.
     *
     * @param sni the name sent as SNI; empty for a client that sends none
     * @param leafSha256 the leaf that must be served
     * @param bindingId the binding it belongs to, for errors
     */
    public record Expectation(Optional<String> sni, String leafSha256, String bindingId) {
        /** Refuses nulls. */
        public Expectation {
            Objects.requireNonNull(sni, "sni");
            Objects.requireNonNull(leafSha256, "leafSha256");
            Objects.requireNonNull(bindingId, "bindingId");
        }
    }

    /**
     * An expectation an endpoint did not meet by the deadline.
     *
     * @param served what was served instead: {@code leaf sha256 <hex>} or the probe's error
     */
    public record Miss(Endpoint endpoint, Expectation expected, String served) {
        /** One line for logs and Nacks. */
        public String describe() {
            return endpoint + " " + expected.sni().map(n -> "for " + n).orElse("without SNI") + ": expected leaf "
                    + expected.leafSha256().substring(0, 16) + ", " + served;
        }
    }

    /** Probes every expectation on every endpoint; returns what did not match (empty when all did). */
    public List<Miss> check(List<Endpoint> endpoints, List<Expectation> expectations) throws InterruptedException {
        if (endpoints.isEmpty() || expectations.isEmpty()) {
            return List.of();
        }
        long end = System.nanoTime() + deadline.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, endpoints.size() * expectations.size()),
                r -> {
                    Thread t = new Thread(r, "mailcert-probe");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<Optional<Miss>>> futures = new ArrayList<>();
            for (Endpoint e : endpoints) {
                for (Expectation x : expectations) {
                    futures.add(pool.submit(() -> until(e, x, end)));
                }
            }
            List<Miss> misses = new ArrayList<>();
            for (Future<Optional<Miss>> f : futures) {
                try {
                    f.get().ifPresent(misses::add);
                } catch (ExecutionException ex) {
                    throw new IllegalStateException("probe task failed", ex.getCause());
                }
            }
            return misses;
        } finally {
            pool.shutdownNow();
        }
    }

    private Optional<Miss> until(Endpoint endpoint, Expectation x, long end) throws InterruptedException {
        while (true) {
            String served;
            try {
                ProbeResult r = probe.probe(endpoint, x.sni());
                if (r.leafSha256().equals(x.leafSha256())) {
                    return Optional.empty();
                }
                served = "served leaf " + r.leafSha256().substring(0, 16) + " (" + r.leaf().getSubjectX500Principal()
                        .getName() + ")";
            } catch (ProbeException e) {
                served = "no handshake: " + e.getMessage();
            }
            if (System.nanoTime() + RETRY_MILLIS * 1_000_000 > end) {
                return Optional.of(new Miss(endpoint, x, served));
            }
            Thread.sleep(RETRY_MILLIS);
        }
    }
}
