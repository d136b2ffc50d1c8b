package org.mailcert.agent.sync;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.Observable;

/**
 * How the agent checks for drift.
 *
 * @param mode whether drift is repaired or only reported
 * @param interval how often the timer starts a cycle (each wait jittered by up to a tenth either way)
 * @param cycle observes and checks (one cycle at a time)
 * @param targets the targets to observe, in order
 * @param watchFiles whether a change of an observed file on disk starts a cycle soon
 */
public record DriftSettings(Mode mode, Duration interval, DriftCycle cycle, List<Observable> targets,
        boolean watchFiles) {
    /** How soon after a file change the cycle runs (changes arriving meanwhile join it). */
    public static final Duration FILE_CHANGE_SETTLE = Duration.ofSeconds(2);
    /**
     * How soon after an Ack the cycle of that apply runs: applies arriving meanwhile (a burst of
     * changes) are answered first and share the cycle, which at thousands of domains takes seconds.
     */
    public static final Duration APPLY_SETTLE = Duration.ofMillis(1500);

    /** Whether drift is repaired or only reported, in Puppet's words. */
    public enum Mode {
        /** Repair, then report the drift as a corrective change (default). */
        ENFORCE,
        /** Report only; change nothing (Puppet's noop: "would change"). */
        REPORT
    }

    /** Refuses nulls and a non-positive interval. */
    public DriftSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(cycle, "cycle");
        targets = List.copyOf(targets);
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the drift interval must be positive");
        }
    }
}
