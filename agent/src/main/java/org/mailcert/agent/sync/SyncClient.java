package org.mailcert.agent.sync;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.DoubleSupplier;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityException;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.AgentStatus.Connection;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.agent.state.DriftReportStore;
import org.mailcert.agent.state.StateException;
import org.mailcert.agent.state.StateStore;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.agent.sync.SyncResult.Reason;
import org.mailcert.agent.target.TargetSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's sync loop. {@link #run()} first installs the persisted applied state again, checks the
 * identity (an expired one ends the loop before any connection), waits a random start delay, then
 * keeps one Sync stream open at a time: a transient failure backs off
 * exponentially with full jitter (1 s base, 60 s cap, reset after a stream the controller answered),
 * a revoked host retries at the cap, and an identity that is expired or no longer accepted ends the
 * loop. A renewed certificate is used for the next stream and becomes the current one once that
 * stream is answered; if the controller refuses it, it is dropped and the current one used again.
 *
 * <p>The constructor starts nothing; {@link #run()} runs on the caller's thread until {@link
 * #stop()} is called from another.
 */
public final class SyncClient {
    private static final Logger LOG = LoggerFactory.getLogger(SyncClient.class);

    private final SyncSettings settings;
    private final IdentityStore identities;
    private final StateStore states;
    private final StatusStore statusStore;
    private final TargetSet targets;
    private final ControllerLink link;
    private final Scheduler scheduler;
    private final Clock clock;
    private final DoubleSupplier random;
    private final Optional<DriftSettings> drift;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile SyncSession session;

    /**
     * Takes the loop's collaborators.
     *
     * @param random uniform values in [0, 1) for the start delay, back-off and renewal jitter
     */
    public SyncClient(SyncSettings settings, IdentityStore identities, StateStore states, StatusStore statusStore,
            TargetSet targets, ControllerLink link, Scheduler scheduler, Clock clock, DoubleSupplier random) {
        this(settings, identities, states, statusStore, targets, link, scheduler, clock, random, Optional.empty());
    }

    /**
     * Takes the loop's collaborators, with drift checking.
     *
     * @param random uniform values in [0, 1) for the start delay, back-off, renewal and drift jitter
     * @param drift how drift is checked; empty for no drift checks
     */
    public SyncClient(SyncSettings settings, IdentityStore identities, StateStore states, StatusStore statusStore,
            TargetSet targets, ControllerLink link, Scheduler scheduler, Clock clock, DoubleSupplier random,
            Optional<DriftSettings> drift) {
        this.drift = Objects.requireNonNull(drift, "drift");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.identities = Objects.requireNonNull(identities, "identities");
        this.states = Objects.requireNonNull(states, "states");
        this.statusStore = Objects.requireNonNull(statusStore, "statusStore");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.link = Objects.requireNonNull(link, "link");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Ends {@link #run()} soon; safe from any thread. */
    public void stop() {
        stopped.countDown();
        SyncSession s = session;
        if (s != null) {
            s.stop();
        }
    }

    /**
     * Runs until stopped or until only a new enrollment helps.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public SyncResult run() throws InterruptedException {
        Identity first;
        try {
            first = identities.load();
        } catch (IdentityException e) {
            return new SyncResult(Reason.REENROLL_REQUIRED, e.getMessage());
        }
        String host = first.host();
        AppliedState applied;
        Optional<String> stateProblem = Optional.empty();
        try {
            applied = states.load();
        } catch (StateException e) {
            LOG.error("host {}: {}; starting from an empty state", host, e.getMessage());
            applied = AppliedState.EMPTY;
            stateProblem = Optional.of(e.getMessage());
        }
        StatusTracker status = new StatusTracker(statusStore, clock, host, first.settings().controller().toString(),
                applied);
        stateProblem.ifPresent(status::error);
        Applier applier = new Applier(host, targets, states, status, applied);
        Renewer renewer = new Renewer(identities, clock, random);
        Backoff backoff = new Backoff(SyncSettings.BACKOFF_BASE, SyncSettings.BACKOFF_MAX, random);

        applier.enforce();
        Optional<DriftMonitor> monitor = drift.map(d -> new DriftMonitor(host, d, applier, settings.facts(),
                new DriftReportStore(statusStore.file().getParent().getParent()), clock, random));
        FileWatch watch = monitor.filter(DriftMonitor::watchesFiles).map(m -> startWatch(m, host)).orElse(null);
        try {
            return loop(host, status, applier, renewer, backoff, monitor);
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
    }

    private static FileWatch startWatch(DriftMonitor monitor, String host) {
        try {
            FileWatch w = new FileWatch(monitor::fileChanged);
            monitor.watch(w);
            return w;
        } catch (java.io.IOException e) {
            LOG.warn("host {}: cannot watch files ({}); drift is found by the timer only", host, e.getMessage());
            return null;
        }
    }

    private SyncResult loop(String host, StatusTracker status, Applier applier, Renewer renewer, Backoff backoff,
            Optional<DriftMonitor> monitor) throws InterruptedException {
        boolean beforeFirstConnection = true;
        while (stopped.getCount() > 0) {
            Identity current;
            Optional<Identity> next;
            try {
                current = identities.load();
                next = identities.loadNext();
                if (next.isPresent() && next.get().expiredAt(clock.instant())) {
                    identities.discardNext();
                    next = Optional.empty();
                }
                if (next.isEmpty()) {
                    current.requireUnexpired(clock.instant());
                }
            } catch (IdentityException e) {
                return reenroll(status, host, e.getMessage());
            }
            if (beforeFirstConnection) {
                beforeFirstConnection = false;
                if (sleep(Backoff.jitter(settings.startDelay(), random), monitor)) {
                    break;
                }
            }
            Identity identity = next.orElse(current);
            SyncSession s = new SyncSession(identity, next.isPresent(), link, identities, applier, renewer, status,
                    scheduler, settings.facts(), monitor);
            session = s;
            if (stopped.getCount() == 0) {
                break;
            }
            SyncSession.End end = s.run();
            session = null;
            if (end.kind() == SyncSession.EndKind.STOPPED) {
                break;
            }
            if (end.kind() == SyncSession.EndKind.ROTATE) {
                backoff.reset();
                continue;
            }
            if (end.healthy()) {
                backoff.reset();
            }
            StreamFailure failure = end.failure().orElseThrow();
            Duration delay;
            switch (failure.kind()) {
                case REENROLL -> {
                    if (next.isPresent() && !end.healthy()) {
                        LOG.warn("host {}: the controller refused the renewed client certificate ({}); dropping it"
                                + " and using the current one", host, failure.message());
                        identities.discardNext();
                        renewer.blockFor(SyncSettings.RENEWAL_PAUSE);
                        continue;
                    }
                    return reenroll(status, host, "the controller no longer accepts this agent's identity ("
                            + failure.message() + "); create a new token with `mailcert token create --host " + host
                            + "` and run `mailcert-agent enroll --force` again");
                }
                case REVOKED -> {
                    delay = backoff.max();
                    status.connection(Connection.REVOKED, Optional.of(failure.message()));
                    LOG.error("host {}: {}; retrying in {} s", host, failure.message(), delay.toSeconds());
                }
                default -> {
                    delay = backoff.next();
                    status.connection(Connection.DISCONNECTED, Optional.of(failure.message()));
                    LOG.warn("host {}: {}; reconnecting in {} ms", host, failure.message(), delay.toMillis());
                }
            }
            if (sleep(delay, monitor)) {
                break;
            }
        }
        return stoppedResult(status);
    }

    /**
     * Waits between streams, running the drift cycles that fall due meanwhile (so the host is
     * checked and repaired while the controller is away; their reports are sent on the next stream).
     *
     * @return whether the loop was stopped
     */
    private boolean sleep(Duration delay, Optional<DriftMonitor> monitor) throws InterruptedException {
        if (monitor.isEmpty()) {
            return scheduler.sleep(delay, stopped);
        }
        DriftMonitor m = monitor.get();
        long end = System.nanoTime() + delay.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(end - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                return stopped.getCount() == 0;
            }
            Duration untilDrift = m.fileChangePending() ? DriftSettings.FILE_CHANGE_SETTLE : m.untilDue();
            if (untilDrift.compareTo(left) >= 0) {
                return scheduler.sleep(left, stopped);
            }
            if (scheduler.sleep(untilDrift, stopped)) {
                return true;
            }
            m.check(m.fileChangePending() ? "file-change" : "timer");
        }
    }

    private static SyncResult stoppedResult(StatusTracker status) {
        status.connection(Connection.DISCONNECTED, Optional.empty());
        return new SyncResult(Reason.STOPPED, "stopped");
    }

    private static SyncResult reenroll(StatusTracker status, String host, String message) {
        LOG.error("host {}: {}; no longer connecting", host, message);
        status.connection(Connection.REENROLL_REQUIRED, Optional.of(message));
        return new SyncResult(Reason.REENROLL_REQUIRED, message);
    }
}
