package org.mailcert.controller.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what agents report (Hello facts, Acks, Nacks) in batches: reports arriving within a
 * short window become one store write (one synced batch) instead of one each, so a thousand agents
 * acknowledging a renewal cost a handful of disk syncs, not a thousand. The window has a leading
 * edge: a report that arrives when nothing was written for a window is written at once, so a lone
 * Ack is on disk within a sync, not a window later, and its write is over before the admin's next
 * change is likely to need the store's write lock. Reports are observed state; a crash loses at
 * most the last window, which the agents report again when they reconnect.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class StatusRecorder {
    private static final Logger log = LoggerFactory.getLogger(StatusRecorder.class);

    private final Store store;
    private final ScheduledExecutorService executor;
    private final long windowMillis;
    private final Object lock = new Object();
    private Map<String, List<BiFunction<HostStatus, java.time.Instant, HostStatus>>> pending = new LinkedHashMap<>();
    private List<Event> events = new ArrayList<>();
    private boolean scheduled;
    /** When the last batch was taken ({@link System#nanoTime}); 0 before the first. */
    private long lastFlushNanos;
    private final Flush flushTask = new Flush();

    /** The task that writes a batch: its own type, so a test's executor can tell it from pushes. */
    final class Flush implements Runnable {
        @Override
        public void run() {
            flushQuietly();
        }
    }

    public StatusRecorder(Store store, ScheduledExecutorService executor, long windowMillis) {
        this.store = store;
        this.executor = executor;
        this.windowMillis = windowMillis;
    }

    /** Queues a change of one host's status and, optionally, an event. */
    void record(String host, BiFunction<HostStatus, java.time.Instant, HostStatus> change, Event event) {
        synchronized (lock) {
            pending.computeIfAbsent(host, h -> new ArrayList<>()).add(change);
            if (event != null) {
                events.add(event);
            }
            if (!scheduled) {
                scheduled = true;
                long wait = lastFlushNanos == 0 ? 0
                        : lastFlushNanos + TimeUnit.MILLISECONDS.toNanos(windowMillis) - System.nanoTime();
                if (wait <= 0) {
                    executor.execute(flushTask);
                } else {
                    executor.schedule(flushTask, wait, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    /** Writes everything queued now, in one transaction. */
    public void flush() throws ControllerException {
        Map<String, List<BiFunction<HostStatus, java.time.Instant, HostStatus>>> batch;
        List<Event> batchEvents;
        synchronized (lock) {
            batch = pending;
            batchEvents = events;
            pending = new LinkedHashMap<>();
            events = new ArrayList<>();
            scheduled = false;
            lastFlushNanos = System.nanoTime() | 1;
        }
        if (batch.isEmpty() && batchEvents.isEmpty()) {
            return;
        }
        store.write(tx -> {
            for (var e : batch.entrySet()) {
                HostStatus status = store.hostStatus(e.getKey());
                for (var change : e.getValue()) {
                    status = change.apply(status, tx.now());
                }
                tx.putHostStatus(status);
            }
            batchEvents.forEach(tx::appendEvent);
            return null;
        });
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (ControllerException | RuntimeException e) {
            log.error("cannot record agent reports: {}", e.getMessage(), e);
        }
    }
}
