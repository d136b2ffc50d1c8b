package org.mailcert.agent.sync;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Waits on the latch with a timeout and runs tasks on the given executor, which the caller owns. */
public final class SystemScheduler implements Scheduler {
    private final ScheduledExecutorService executor;

    /** Runs scheduled tasks on {@code executor}; the caller shuts it down. */
    public SystemScheduler(ScheduledExecutorService executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public boolean sleep(Duration duration, CountDownLatch wake) throws InterruptedException {
        return wake.await(Math.max(0, duration.toMillis()), TimeUnit.MILLISECONDS);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }
}
