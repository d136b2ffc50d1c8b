package org.mailcert.controller.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what agents report (Hello facts, Acks, Nacks, drift reports) in batches: reports arriving
 * within a short window become one store write (one synced batch) instead of one each, so a
 * thousand agents acknowledging a renewal cost a handful of disk syncs, not a thousand. The window
 * has a leading edge: a report that arrives when nothing was written for a window is written at
 * once, so a lone Ack is on disk within a sync, not a window later, and its write is over before the
 * admin's next change is likely to need the store's write lock. Changes are applied in the order
 * they arrived, each to the status the one before left, and may add events that depend on it (a
 * drift report is compared with the previous one). Reports are observed state; a crash loses at
 * most the last window, which the agents report again when they reconnect.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class StatusRecorder {
    private static final Logger log = LoggerFactory.getLogger(StatusRecorder.class);

    /** One change of a host's status, which may add events judged against the status before it. */
    @FunctionalInterface
    interface Change {
        HostStatus apply(HostStatus status, Instant now, Consumer<Event> events);
    }

    private record Pending(String host, Change change) {
    }

    private final Store store;
    private final ScheduledExecutorService executor;
    private final long windowMillis;
    private final Object lock = new Object();
    private List<Pending> pending = new ArrayList<>();
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
    void record(String host, BiFunction<HostStatus, Instant, HostStatus> change, Event event) {
        record(host, (status, now, events) -> {
            if (event != null) {
                events.accept(event);
            }
            return change.apply(status, now);
        });
    }

    /** Queues a change of one host's status that may add events. */
    void record(String host, Change change) {
        synchronized (lock) {
            pending.add(new Pending(host, change));
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
        List<Pending> batch;
        synchronized (lock) {
            batch = pending;
            pending = new ArrayList<>();
            scheduled = false;
            lastFlushNanos = System.nanoTime() | 1;
        }
        if (batch.isEmpty()) {
            return;
        }
        store.write(tx -> {
            Map<String, HostStatus> statuses = new LinkedHashMap<>();
            for (Pending p : batch) {
                HostStatus status = statuses.computeIfAbsent(p.host(), store::hostStatus);
                statuses.put(p.host(), p.change().apply(status, tx.now(), tx::appendEvent));
            }
            statuses.values().forEach(tx::putHostStatus);
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
