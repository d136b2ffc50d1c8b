package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An agent's drift report: its conditions and drift items after one cycle. Observed state: kept in
 * {@link HostStatus}, never part of the desired state.
 *
 * @param appliedVersion the applied version the cycle observed
 * @param observed       when the cycle ran (the agent's clock)
 * @param trigger        what started it: {@code apply}, {@code timer}, {@code file-change} or {@code start}
 * @param bindings       per binding, its conditions
 * @param hostConditions the host's own conditions (configuration, server-wide certificate)
 * @param items          items still present after the cycle, plus those it repaired
 * @param probes         live handshakes made in the cycle
 */
public record DriftReport(long appliedVersion, DriftMode mode, RunOutcome outcome, Optional<Instant> observed,
        String trigger, long durationMillis, List<BindingConditions> bindings, List<Condition> hostConditions,
        List<DriftItem> items, int probes) {
    /** Copies the lists. */
    public DriftReport {
        bindings = List.copyOf(bindings);
        hostConditions = List.copyOf(hostConditions);
        items = List.copyOf(items);
    }

    /** The items not repaired in the cycle. */
    public List<DriftItem> outstanding() {
        return items.stream().filter(DriftItem::outstanding).toList();
    }
}
