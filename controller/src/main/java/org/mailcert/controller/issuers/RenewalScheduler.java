package org.mailcert.controller.issuers;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.acme.AcmeCa;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ACME certificates renewed. Each {@link #tick()} looks at every ACME record whose next
 * attempt is due and works on it: with ARI it asks the CA's window and orders (naming the replaced
 * certificate) at a random time inside it, else it orders when a third of the lifetime is left;
 * a record that failed is simply ordered again, its back-off having passed. Every outcome moves the
 * record's next attempt into the future, so nothing is ordered in a hot loop.
 *
 * <p>At most one attempt per certificate is in flight, and at most {@code maxConcurrent} in all;
 * due records beyond the cap wait for a later tick. Thread-safe.
 */
public final class RenewalScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RenewalScheduler.class);
    /** How often the daemon looks for due renewals. */
    public static final Duration TICK = Duration.ofSeconds(30);
    /** Orders in flight at once, across all certificates. */
    public static final int MAX_CONCURRENT = 4;

    private final Store store;
    private final RequestService requests;
    private final IssuerService issuers;
    private final AcmeCa ca;
    private final RenewalPolicy policy;
    private final Clock clock;
    private final Executor workers;
    private final Semaphore slots;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile ScheduledFuture<?> ticking;

    public RenewalScheduler(Store store, RequestService requests, IssuerService issuers, AcmeCa ca,
            RenewalPolicy policy, Clock clock, Executor workers, int maxConcurrent) {
        this.store = store;
        this.requests = requests;
        this.issuers = issuers;
        this.ca = ca;
        this.policy = policy;
        this.clock = clock;
        this.workers = workers;
        this.slots = new Semaphore(maxConcurrent);
    }

    /** Ticks every {@code period} on {@code timer} until {@link #close()}. */
    public void start(ScheduledExecutorService timer, Duration period) {
        ticking = timer.scheduleWithFixedDelay(this::tickQuietly, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts work on every due record, within the caps; returns how many attempts it started. */
    public int tick() {
        Instant now = clock.instant();
        int started = 0;
        for (AcmeOrder order : store.acmeOrders()) {
            if ((order.nextAttempt().isAfter(now) && !namesChanged(order, now)) || !inFlight.add(order.name())) {
                continue;
            }
            if (!slots.tryAcquire()) {
                inFlight.remove(order.name());
                break;
            }
            started++;
            try {
                workers.execute(() -> {
                    try {
                        work(order);
                    } finally {
                        inFlight.remove(order.name());
                        slots.release();
                    }
                });
            } catch (RuntimeException e) {
                inFlight.remove(order.name());
                slots.release();
                log.warn("certificate {}: cannot start its renewal: {}", order.name(), e.toString());
            }
        }
        return started;
    }

    /**
     * Whether a SAN bundle not otherwise due must be re-ordered because its host's domains changed:
     * not while a failure's back-off runs, and at most once per {@link BundleService#REORDER_EVERY}.
     */
    private boolean namesChanged(AcmeOrder order, Instant now) {
        return order.isBundle() && order.failures() == 0 && BundleService.reorderAllowed(order, now)
                && BundleService.changedNames(store, order).isPresent();
    }

    /** Whether an attempt for {@code name} is running. */
    public boolean inFlight(String name) {
        return inFlight.contains(name);
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.error("renewal tick failed", e);
        }
    }

    /** Decides and acts for one due record; never leaves it due. */
    private void work(AcmeOrder order) {
        try {
            Optional<CertificateVersion> current = store.certificate(order.name());
            Optional<List<String>> names = BundleService.changedNames(store, order);
            if (names.isPresent() && (order.failures() > 0 || BundleService.reorderAllowed(order, clock.instant()))) {
                namesChangedEvent(order, names.get());
                requests.attempt(Caller.CONTROLLER, order.withDomains(names.get()),
                        current.map(CertificateVersion::leaf));
                return;
            }
            if (current.isEmpty() || order.failures() > 0) {
                requests.attempt(Caller.CONTROLLER, order, current.map(CertificateVersion::leaf));
                return;
            }
            X509Certificate leaf = current.get().leaf();
            Issuer issuer = issuers.get(order.issuer());
            Instant now = clock.instant();
            if (issuer.ari()) {
                Optional<AcmeCa.RenewalWindow> window;
                try {
                    window = ca.renewalInfo(IssuerService.settings(issuer, store.issuerSecrets(issuer.name())), leaf);
                } catch (AcmeException e) {
                    log.warn("certificate {}: renewal info failed ({}), using a third of the lifetime",
                            order.name(), e.getMessage());
                    window = Optional.empty();
                }
                if (window.isPresent()) {
                    AcmeCa.RenewalWindow w = window.get();
                    Instant chosen = policy.inWindow(w.start(), w.end());
                    if (!chosen.isAfter(now)) {
                        requests.attempt(Caller.CONTROLLER, order, Optional.of(leaf));
                        return;
                    }
                    Instant askAgain = w.retryAfter().filter(r -> r.isAfter(now)).orElse(now.plus(RenewalPolicy.ARI_POLL));
                    Instant next = askAgain.isBefore(chosen) ? askAgain : chosen;
                    requests.reschedule(order, new RenewalPolicy.Next(next, "ARI window " + w.start() + " to "
                            + w.end() + (next.equals(chosen) ? ", renewing at a random time in it"
                                    : ", asking the CA again")));
                    return;
                }
            }
            RenewalPolicy.Next third = policy.withoutAri(leaf);
            if (third.at().isAfter(now)) {
                requests.reschedule(order, third);
                return;
            }
            requests.attempt(Caller.CONTROLLER, order, Optional.of(leaf));
        } catch (ControllerException | RuntimeException e) {
            log.error("certificate {}: renewal failed in the controller: {}", order.name(), e.getMessage(), e);
            try {
                requests.failed(Caller.CONTROLLER.actor(), order, AcmeException.Kind.CONFIGURATION,
                        "the controller failed: " + e.getMessage(), Optional.empty());
            } catch (ControllerException | RuntimeException again) {
                log.error("certificate {}: cannot record the failure: {}", order.name(), again.getMessage());
            }
        }
    }

    private void namesChangedEvent(AcmeOrder order, List<String> names) throws ControllerException {
        List<String> added = names.stream().filter(n -> !order.domains().contains(n)).toList();
        List<String> removed = order.domains().stream().filter(n -> !names.contains(n)).toList();
        String message = "names changed: the domains of host " + order.bundleHost() + " changed, re-ordering "
                + order.name() + (added.isEmpty() ? "" : "; adding " + String.join(", ", added))
                + (removed.isEmpty() ? "" : "; removing " + String.join(", ", removed));
        log.info("certificate {}: {}", order.name(), message);
        store.write(tx -> {
            tx.appendEvent(Event.draft(Caller.CONTROLLER.actor(), "acme.bundle_names", order.bundleHost(),
                    order.name(), message));
            return null;
        });
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = ticking;
        if (t != null) {
            t.cancel(false);
        }
    }
}
