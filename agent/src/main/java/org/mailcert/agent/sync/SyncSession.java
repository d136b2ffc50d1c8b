package org.mailcert.agent.sync;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.mailcert.agent.AgentVersion;
import org.mailcert.agent.facts.FactsSource;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityException;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.AgentStatus.Connection;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.ControllerMessage;
import org.mailcert.proto.v1.DriftReport;
import org.mailcert.proto.v1.Hello;
import org.mailcert.proto.v1.HostFacts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Sync stream from Hello to its end. Transport threads only enqueue events; the sync loop
 * thread runs {@link #run()} and does all the work, so nothing here needs locking beyond the queue.
 */
final class SyncSession implements ControllerLink.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(SyncSession.class);
    private static final Object STOP = new Object();
    private static final Object RENEW_DUE = new Object();
    private static final Object DRIFT_DUE = new Object();
    private static final Object FILE_CHANGED = new Object();
    private static final Object FILE_SETTLED = new Object();
    private static final Object APPLY_SETTLED = new Object();

    /** How a session ended. */
    enum EndKind {
        /** The agent is stopping. */
        STOPPED,
        /** A renewed certificate was stored; reconnect with it now. */
        ROTATE,
        /** The stream failed or was closed by the controller. */
        FAILED
    }

    /**
     * How a session ended.
     *
     * @param kind what ended it
     * @param failure why the stream failed, for {@link EndKind#FAILED}
     * @param healthy whether the controller answered on this stream (resets the back-off)
     */
    record End(EndKind kind, Optional<StreamFailure> failure, boolean healthy) {
    }

    private final Identity identity;
    private final boolean usingNext;
    private final ControllerLink link;
    private final IdentityStore identities;
    private final Applier applier;
    private final Renewer renewer;
    private final StatusTracker status;
    private final Scheduler scheduler;
    private final FactsSource facts;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final PageAssembler pages;
    private final Optional<DriftMonitor> drift;
    private boolean healthy;
    private boolean renewalDue;
    private DriftReport lastSent;
    /** The facts the controller last got on this stream (Hello, then facts messages). */
    private HostFacts factsSent;
    private Scheduler.Cancellable driftTimer = () -> { };
    private Scheduler.Cancellable settling;
    private Scheduler.Cancellable afterApply;

    SyncSession(Identity identity, boolean usingNext, ControllerLink link, IdentityStore identities, Applier applier,
            Renewer renewer, StatusTracker status, Scheduler scheduler, FactsSource facts, Optional<DriftMonitor> drift) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.usingNext = usingNext;
        this.link = Objects.requireNonNull(link, "link");
        this.identities = identities;
        this.applier = applier;
        this.renewer = renewer;
        this.status = status;
        this.scheduler = scheduler;
        this.facts = Objects.requireNonNull(facts, "facts");
        this.pages = new PageAssembler(identity.host());
        this.drift = Objects.requireNonNull(drift, "drift");
    }

    /** Asks the session to end; safe from any thread. */
    void stop() {
        events.add(STOP);
    }

    @Override
    public void onMessage(ControllerMessage message) {
        events.add(message);
    }

    @Override
    public void onClosed(StreamFailure failure) {
        events.add(failure);
    }

    /** Opens the stream, says Hello and handles what arrives until the stream ends. */
    End run() throws InterruptedException {
        AppliedState applied = applier.current();
        MaterialCache cache = new MaterialCache(applied.materials());
        HostFacts hostFacts = facts.read();
        factsSent = hostFacts;
        LOG.info("host {}: connecting (applied version {}, {} binding(s){})", identity.host(), applied.version(),
                applied.bindings().size(), usingNext ? ", with the renewed client certificate" : "");
        ControllerLink.Stream stream = link.open(identity, this);
        Scheduler.Cancellable renewal = scheduler.schedule(renewer.delay(identity), () -> events.add(RENEW_DUE));
        String closeReason = "agent stopping";
        try {
            stream.send(AgentMessage.newBuilder().setHello(Hello.newBuilder()
                    .setHost(identity.host())
                    .setAgentVersion(AgentVersion.current())
                    .setFacts(hostFacts)
                    .setAppliedVersion(applied.version())
                    .addAllApplied(applied.applied())
                    .addAllHeldSha256(applied.heldSha256())).build());
            startDrift(stream);
            while (true) {
                Object event = events.take();
                if (event == STOP) {
                    return new End(EndKind.STOPPED, Optional.empty(), healthy);
                }
                if (event instanceof StreamFailure failure) {
                    closeReason = "stream ended";
                    return new End(EndKind.FAILED, Optional.of(failure), healthy);
                }
                if (event == RENEW_DUE) {
                    renewalDue = true;
                    renewIfDue(stream);
                    continue;
                }
                if (event == DRIFT_DUE || event == FILE_CHANGED || event == FILE_SETTLED || event == APPLY_SETTLED) {
                    onDriftEvent(event, stream);
                    continue;
                }
                ControllerMessage message = (ControllerMessage) event;
                if (!healthy) {
                    firstAnswer();
                }
                switch (message.getKindCase()) {
                    case STATE -> {
                        cache.addAll(message.getState().getMaterialsList());
                        Optional<org.mailcert.proto.v1.DesiredState> whole = pages.add(message.getState());
                        if (whole.isPresent()) {
                            AgentMessage answer = applier.apply(whole.get(), cache);
                            stream.send(answer);
                            if (answer.hasAck() && drift.isPresent() && afterApply == null) {
                                afterApply = scheduler.schedule(DriftSettings.APPLY_SETTLE,
                                        () -> events.add(APPLY_SETTLED));
                            }
                        }
                    }
                    case RENEWED -> {
                        if (renewed(message)) {
                            closeReason = "reconnecting with the renewed client certificate";
                            return new End(EndKind.ROTATE, Optional.empty(), true);
                        }
                    }
                    default -> LOG.warn("host {}: ignoring a controller message of unknown kind {}", identity.host(),
                            message.getKindCase());
                }
                renewIfDue(stream);
            }
        } finally {
            driftTimer.cancel();
            if (settling != null) {
                settling.cancel();
            }
            if (afterApply != null) {
                afterApply.cancel();
            }
            drift.ifPresent(d -> d.listener(() -> { }));
            renewal.cancel();
            renewer.cancelPending();
            stream.close(closeReason);
        }
    }

    /**
     * Starts drift checking on this stream: sends the last report (or runs a first cycle soon),
     * arms the timer and listens for file changes.
     */
    private void startDrift(ControllerLink.Stream stream) {
        if (drift.isEmpty()) {
            return;
        }
        DriftMonitor d = drift.get();
        d.listener(() -> events.add(FILE_CHANGED));
        if (d.last().isPresent()) {
            send(d.last().get(), stream);
            armTimer(d);
        } else {
            events.add(DRIFT_DUE);
        }
    }

    private void onDriftEvent(Object event, ControllerLink.Stream stream) throws InterruptedException {
        DriftMonitor d = drift.orElseThrow();
        if (event == APPLY_SETTLED) {
            // Null when a cycle ran meanwhile and called this one off after it had already fired.
            if (afterApply != null) {
                afterApply = null;
                check("apply", stream);
            }
        } else if (event == DRIFT_DUE) {
            if (d.untilDue().isZero() || d.last().isEmpty()) {
                check(d.last().isEmpty() ? "start" : "timer", stream);
            } else {
                armTimer(d);
            }
        } else if (event == FILE_CHANGED) {
            if (settling == null) {
                settling = scheduler.schedule(DriftSettings.FILE_CHANGE_SETTLE, () -> events.add(FILE_SETTLED));
            }
        } else if (settling != null) {
            settling = null;
            if (d.fileChangePending()) {
                check("file-change", stream);
            }
        }
    }

    /**
     * Runs a drift cycle and sends its report if it says something new (always after an apply: the
     * cycle after an Ack runs once the applies of a burst have settled, so it never delays the next).
     */
    private void check(String trigger, ControllerLink.Stream stream) throws InterruptedException {
        DriftMonitor d = drift.orElseThrow();
        // This cycle sees every change made before it starts: the cycles still waiting for an apply or a
        // file change to settle are not needed any more (a later change schedules its own).
        boolean forApply = trigger.equals("apply") || afterApply != null;
        if (afterApply != null) {
            afterApply.cancel();
            afterApply = null;
        }
        if (settling != null) {
            settling.cancel();
            settling = null;
        }
        if (d.takeFactsStale()) {
            // The server's own configuration changed: domains may have been added or removed.
            facts.invalidate();
        }
        DriftReport report = d.check(forApply ? "apply" : trigger);
        if (forApply || lastSent == null || !DriftMonitor.sameContent(lastSent, report)) {
            send(report, stream);
        }
        sendFactsIfChanged(stream);
        armTimer(d);
    }

    /** Tells the controller the host's facts when they differ from those it last got (e.g. new domains). */
    private void sendFactsIfChanged(ControllerLink.Stream stream) throws InterruptedException {
        HostFacts now = facts.read();
        if (!now.equals(factsSent)) {
            LOG.info("host {}: facts changed ({} domain(s) now), telling the controller", identity.host(),
                    now.getDomainsCount());
            stream.send(AgentMessage.newBuilder().setFacts(now).build());
            factsSent = now;
        }
    }

    private void send(DriftReport report, ControllerLink.Stream stream) {
        stream.send(AgentMessage.newBuilder().setReport(report).build());
        lastSent = report;
    }

    private void armTimer(DriftMonitor d) {
        driftTimer.cancel();
        driftTimer = scheduler.schedule(d.untilDue(), () -> events.add(DRIFT_DUE));
    }

    /** Asks for a new certificate once it is due and the controller has answered on this stream. */
    private void renewIfDue(ControllerLink.Stream stream) {
        if (!renewalDue || !healthy || renewer.pending()) {
            return;
        }
        renewalDue = false;
        LOG.info("host {}: asking for a new client certificate (the current one ends {})", identity.host(),
                identity.notAfter());
        stream.send(AgentMessage.newBuilder().setRenew(renewer.request(identity)).build());
    }

    /** The controller answered: the stream is healthy, and a renewed identity has proved itself. */
    private void firstAnswer() {
        healthy = true;
        status.connection(Connection.CONNECTED, Optional.empty());
        if (!usingNext) {
            LOG.info("host {}: connected", identity.host());
            return;
        }
        try {
            identities.promoteNext();
            LOG.info("host {}: connected with the renewed client certificate, now the current one (until {})",
                    identity.host(), identity.notAfter());
        } catch (IdentityException e) {
            LOG.error("host {}: {}", identity.host(), e.getMessage());
            status.error(e.getMessage());
        }
    }

    private boolean renewed(ControllerMessage message) {
        try {
            X509Certificate cert = renewer.accept(identity, message.getRenewed());
            LOG.info("host {}: received a renewed client certificate (until {}); reconnecting with it",
                    identity.host(), cert.getNotAfter().toInstant());
            return true;
        } catch (IdentityException e) {
            LOG.error("host {}: renewal failed: {}", identity.host(), e.getMessage());
            status.error("renewal failed: " + e.getMessage());
            return false;
        }
    }
}
