package org.mailcert.agent.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A scheduler for tests: sleeps return at once and are recorded; scheduled tasks wait until the
 * test fires them. Thread-safe.
 */
final class ManualScheduler implements Scheduler {
    /** A scheduled task. */
    static final class Task {
        final Duration delay;
        final Runnable runnable;
        volatile boolean cancelled;

        Task(Duration delay, Runnable runnable) {
            this.delay = delay;
            this.runnable = runnable;
        }
    }

    private final List<Duration> sleeps = new ArrayList<>();
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public synchronized boolean sleep(Duration duration, CountDownLatch wake) {
        sleeps.add(duration);
        notifyAll();
        return wake.getCount() == 0;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(delay, task);
        tasks.add(t);
        notifyAll();
        return () -> t.cancelled = true;
    }

    /** Every sleep so far. */
    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    /** Every task scheduled so far. */
    synchronized List<Task> tasks() {
        return List.copyOf(tasks);
    }

    /** Waits until at least {@code n} sleeps happened. */
    synchronized List<Duration> awaitSleeps(int n) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sleeps.size() < n && System.nanoTime() < end) {
            wait(100);
        }
        return List.copyOf(sleeps);
    }

    /** Runs every live task whose delay is exactly {@code delay}; returns how many ran. */
    int fireExactly(Duration delay) {
        List<Task> due = new ArrayList<>();
        synchronized (this) {
            for (Task t : tasks) {
                if (!t.cancelled && t.delay.equals(delay)) {
                    due.add(t);
                    t.cancelled = true;
                }
            }
        }
        due.forEach(t -> t.runnable.run());
        return due.size();
    }

    /** Runs every live task whose delay is at most {@code upTo}; returns how many ran. */
    int fire(Duration upTo) {
        List<Task> due = new ArrayList<>();
        synchronized (this) {
            for (Task t : tasks) {
                if (!t.cancelled && t.delay.compareTo(upTo) <= 0) {
                    due.add(t);
                    t.cancelled = true;
                }
            }
        }
        due.forEach(t -> t.runnable.run());
        return due.size();
    }
}
