package org.mailcert.controller.events;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.store.Store;

/**
 * The audit and event log: past events, and a live feed for followers.
 *
 * <p>Thread-safety: safe for concurrent use. Each subscription's sink is called by one task at a
 * time, in sequence order, on the given executor, never on the writer's thread.
 */
public final class EventFeed {
    private static final int PAGE = 500;

    private final Store store;
    private final Executor executor;
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

    public EventFeed(Store store, Executor executor) {
        this.store = store;
        this.executor = executor;
        store.addCommitListener(this::wakeAll);
    }

    /** The newest {@code limit} events after {@code afterSeq}, of one host if {@code host} is non-empty. */
    public List<Event> list(String host, long afterSeq, int limit) {
        return store.events(afterSeq, host, limit);
    }

    /** Sequence number of the newest event, 0 if none. */
    public long lastSeq() {
        return store.lastEventSeq();
    }

    /** Delivers every event after {@code afterSeq} and then each new one, until cancelled. */
    public Subscription subscribe(String host, long afterSeq, Consumer<Event> sink) {
        Subscription s = new Subscription(host, afterSeq, sink);
        subscriptions.add(s);
        s.wake();
        return s;
    }

    private void wakeAll() {
        for (Subscription s : subscriptions) {
            s.wake();
        }
    }

    /** One follower of the feed. */
    public final class Subscription {
        private final String host;
        private final Consumer<Event> sink;
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private volatile boolean again;
        private volatile boolean cancelled;
        private long lastSeq;

        Subscription(String host, long afterSeq, Consumer<Event> sink) {
            this.host = host;
            this.sink = sink;
            this.lastSeq = afterSeq;
        }

        /** Stops delivery; events in flight may still arrive once. */
        public void cancel() {
            cancelled = true;
            subscriptions.remove(this);
        }

        private void wake() {
            again = true;
            if (scheduled.compareAndSet(false, true)) {
                executor.execute(this::drain);
            }
        }

        private void drain() {
            try {
                while (again && !cancelled) {
                    again = false;
                    List<Event> page;
                    do {
                        page = store.eventsFrom(lastSeq, host, PAGE);
                        for (Event e : page) {
                            if (cancelled) {
                                return;
                            }
                            sink.accept(e);
                            lastSeq = e.seq();
                        }
                    } while (page.size() == PAGE);
                }
            } finally {
                scheduled.set(false);
                if (again && !cancelled) {
                    wake();
                }
            }
        }
    }
}
