package org.mailcert.controller.sync;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live agent streams, one per host. A write that changes hosts wakes just their sessions;
 * a burst of changes becomes one update (leading-edge debounce, see {@link #hostsChanged}), and
 * each push runs on the hub's executor, so a slow or dead stream never blocks the writer or other
 * streams. Stream setups
 * (the first, possibly large, state) are limited in number so a controller restart with many
 * agents does not compute every full state at once.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class SyncHub implements FleetChanges {
    private static final Logger log = LoggerFactory.getLogger(SyncHub.class);

    private final Store store;
    private final DesiredStates desired;
    private final ScheduledExecutorService executor;
    private final long debounceMillis;
    private final Semaphore setups;
    private final int pageBytes;
    private final StatusRecorder recorder;
    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    /** How long agent reports are gathered before they are written together. */
    static final long STATUS_WINDOW_MILLIS = 20;
    private final AtomicLong streamIds = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong updatesSent = new AtomicLong();
    private final SyncCounters counters = new SyncCounters();

    private static final class Entry {
        final SyncSession session;
        final AtomicBoolean scheduled = new AtomicBoolean();
        /** When this session's last push began ({@link System#nanoTime}); 0 before the first. */
        volatile long lastPushNanos;

        Entry(SyncSession session) {
            this.session = session;
        }
    }

    /**
     * @param debounceMillis the shortest interval between two pushes to one session; changes within it are
     *                       coalesced
     * @param maxSetups      how many stream setups may run at once
     * @param pageBytes      how large one page of desired state may grow
     */
    public SyncHub(Store store, DesiredStates desired, ScheduledExecutorService executor, long debounceMillis,
            int maxSetups, int pageBytes) {
        this.pageBytes = pageBytes;
        this.recorder = new StatusRecorder(store, executor, STATUS_WINDOW_MILLIS);
        this.store = store;
        this.desired = desired;
        this.executor = executor;
        this.debounceMillis = debounceMillis;
        this.setups = new Semaphore(maxSetups);
    }

    /**
     * Registers a new stream for an authorized host. A previous stream of the same host is closed:
     * one agent per host.
     */
    public SyncSession open(Host host, StreamSink sink) {
        SyncSession session = new SyncSession("s" + streamIds.incrementAndGet(), host, store, desired, sink, pageBytes,
                recorder, counters);
        Entry old = sessions.put(host.fqdn(), new Entry(session));
        if (old != null) {
            old.session.close(ControllerException.failedPrecondition("replaced by a newer stream of " + host.fqdn()));
        }
        return session;
    }

    /** Processes the Hello of a stream, within the limit on concurrent setups. */
    public void hello(SyncSession session, AgentHello hello) throws ControllerException {
        try {
            setups.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ControllerException.internal("interrupted while waiting to set up the stream", e);
        }
        try {
            session.hello(hello);
        } finally {
            setups.release();
        }
    }

    /** Forgets a stream that ended. */
    public void closed(SyncSession session) {
        session.ended();
        sessions.computeIfPresent(session.host(), (h, e) -> e.session == session ? null : e);
    }

    /** Whether a host has a live stream. */
    public boolean connected(String host) {
        return sessions.containsKey(host);
    }

    /** Counts one update page sent to an agent, of {@code bytes} serialized bytes. */
    public void sent(int bytes, boolean lastPage) {
        bytesSent.addAndGet(bytes);
        if (lastPage) {
            updatesSent.incrementAndGet();
        }
    }

    /** Serialized bytes of desired state sent to agents since start. */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Desired-state updates (all pages) sent to agents since start. */
    public long updatesSent() {
        return updatesSent.get();
    }

    /** Desired states agents refused (Nacks) since start. */
    public long applyFailures() {
        return counters.nacks.get();
    }

    /** Drift reports received from agents since start. */
    public long driftReports() {
        return counters.reports.get();
    }

    /** How many streams are live. */
    public int streams() {
        return sessions.size();
    }

    /**
     * Wakes the sessions of changed hosts. The debounce is leading-edge: a change to a session that
     * has not pushed within the last {@code debounceMillis} is pushed at once; changes that follow
     * within the window wait for its end and become one update, and so do changes that arrive
     * while an update is in flight (sent after its Ack). A single change pays no delay; a burst is
     * delayed by at most one window.
     */
    @Override
    public void hostsChanged(Collection<String> hosts) {
        long now = System.nanoTime();
        for (String h : hosts) {
            Entry e = sessions.get(h);
            if (e != null && e.scheduled.compareAndSet(false, true)) {
                long last = e.lastPushNanos;
                long waitNanos = last == 0 ? 0 : last + TimeUnit.MILLISECONDS.toNanos(debounceMillis) - now;
                if (waitNanos <= 0) {
                    executor.execute(() -> run(e));
                } else {
                    executor.schedule(() -> run(e), waitNanos, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    private void run(Entry e) {
        e.lastPushNanos = System.nanoTime() | 1;
        e.scheduled.set(false);
        try {
            e.session.push();
        } catch (ControllerException | RuntimeException ex) {
            log.error("stream {} of {}: cannot send the desired state: {}", e.session.streamId(), e.session.host(),
                    ex.getMessage(), ex);
            e.session.close(ex instanceof ControllerException ce ? ce
                    : ControllerException.internal("internal error computing the desired state", ex));
        }
    }

    /** Closes every stream (controller shutdown) and writes the agent reports still queued. */
    public void closeAll() {
        for (Entry e : sessions.values()) {
            e.session.close(ControllerException.unavailable("controller shutting down; reconnect later"));
        }
        sessions.clear();
        try {
            recorder.flush();
        } catch (ControllerException | RuntimeException e) {
            log.error("cannot record the last agent reports: {}", e.getMessage(), e);
        }
    }
}
