package org.mailcert.controller.sync;

import java.util.concurrent.atomic.AtomicLong;

/** What agents sent since the controller started, counted for the metrics. Thread-safe. */
final class SyncCounters {
    /** Nacks: desired states an agent refused. */
    final AtomicLong nacks = new AtomicLong();
    /** Drift reports received. */
    final AtomicLong reports = new AtomicLong();
}
