package org.mailcert.bench;

import java.util.Random;

/**
 * Reconnect delays of a simulated agent: after losing a working stream it waits a random start
 * delay in [0, startMillis); after the n-th failed attempt in a row it waits a delay drawn
 * uniformly from [0, min(capMillis, baseMillis * 2^(n-1))) ("full jitter"), so that a restarted
 * controller is not hit by every agent at once.
 */
record Backoff(long startMillis, long baseMillis, long capMillis) {

    /** The delay before the first attempt after a working stream was lost. */
    long afterLoss(Random random) {
        return startMillis <= 0 ? 0 : (long) (random.nextDouble() * startMillis);
    }

    /** The delay after {@code failures} (at least 1) failed attempts in a row. */
    long afterFailures(int failures, Random random) {
        double ceiling = Math.min(capMillis, baseMillis * Math.pow(2, Math.max(0, failures - 1)));
        return (long) (random.nextDouble() * ceiling);
    }

    @Override
    public String toString() {
        return "start delay U[0," + startMillis + " ms), then full jitter U[0, min(" + capMillis + " ms, "
                + baseMillis + " ms * 2^(n-1)))";
    }
}
