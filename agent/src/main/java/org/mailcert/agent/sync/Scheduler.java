package org.mailcert.agent.sync;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The sync loop's only ways of waiting: blocking for a while (start delay, back-off) and running a
 * task later (renewal). Tests replace it to record delays instead of sleeping.
 */
public interface Scheduler {

    /**
     * Waits for the duration, or less when {@code wake} opens first.
     *
     * @return whether {@code wake} opened
     */
    boolean sleep(Duration duration, CountDownLatch wake) throws InterruptedException;

    /** Runs the task once after the delay, on a scheduler thread. */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Calls the task off if it has not started. */
        void cancel();
    }
}
