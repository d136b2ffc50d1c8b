package org.mailcert.controller.drift;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Event;

/**
 * The events a drift report is worth, compared with the host's previous report: one per item that
 * is new or changed, one per item that went away. An identical report writes none, so an agent
 * that reports again after a reconnect adds nothing to the log. An item is the same across reports
 * when subject, reason and target match; it changed when its action or its {@code since} (a new
 * occurrence) differs.
 *
 * <ul>
 *   <li>{@code drift.detected}: a new item the agent reported or would change (report mode);</li>
 *   <li>{@code drift.repaired}: the agent repaired an item (a corrective change);</li>
 *   <li>{@code drift.repair_failed}: the agent tried to repair an item and failed;</li>
 *   <li>{@code drift.cleared}: an item of the previous report is gone without having been reported
 *       repaired (a repaired item that disappears next writes nothing more);</li>
 *   <li>{@code drift.more}: one summary when a report changes more than {@link #MAX_PER_REPORT}
 *       items, so a host with thousands of domains cannot flood the log.</li>
 * </ul>
 * Events are by {@code agent:<host>}, about the host, with the binding id (or {@code host}) as
 * subject and the reason, the target and the agent's message as message.
 */
public final class DriftEvents {
    /** At most this many item events per report, plus one summary. */
    public static final int MAX_PER_REPORT = 100;
    /** Agent messages longer than this are cut in events (the full text stays in the report). */
    static final int MAX_MESSAGE = 300;

    private DriftEvents() {
    }

    /** The events for {@code next}, a report of {@code host}, after {@code previous} (if any). */
    public static List<Event> between(String host, Optional<DriftReport> previous, DriftReport next) {
        Map<String, DriftItem> before = new HashMap<>();
        previous.ifPresent(p -> p.items().forEach(i -> before.put(i.key(), i)));
        Map<String, DriftItem> after = new HashMap<>();
        next.items().forEach(i -> after.put(i.key(), i));

        List<Change> changes = new ArrayList<>();
        for (DriftItem item : next.items().stream().sorted(DriftItem.ORDER).toList()) {
            DriftItem old = before.get(item.key());
            if (old == null || old.action() != item.action() || !old.since().equals(item.since())) {
                changes.add(new Change(kind(item.action()), item));
            }
        }
        previous.ifPresent(p -> p.items().stream().sorted(DriftItem.ORDER)
                .filter(i -> !after.containsKey(i.key()) && i.action() != DriftAction.REPAIRED)
                .forEach(i -> changes.add(new Change("drift.cleared", i))));
        changes.sort(Comparator.comparing(Change::item, DriftItem.ORDER));

        String actor = "agent:" + host;
        List<Event> events = new ArrayList<>();
        for (Change c : changes.subList(0, Math.min(MAX_PER_REPORT, changes.size()))) {
            events.add(Event.draft(actor, c.kind(), host, c.item().subject(), message(c)));
        }
        if (changes.size() > MAX_PER_REPORT) {
            List<Change> rest = changes.subList(MAX_PER_REPORT, changes.size());
            events.add(Event.draft(actor, "drift.more", host, "host", "and " + rest.size()
                    + " more drift changes in this report of " + host + " (" + counts(rest)
                    + "); see mailcert drift --host " + host));
        }
        return events;
    }

    private record Change(String kind, DriftItem item) {
    }

    private static String kind(DriftAction action) {
        return switch (action) {
            case REPAIRED -> "drift.repaired";
            case REPAIR_FAILED -> "drift.repair_failed";
            case REPORTED, WOULD_CHANGE -> "drift.detected";
        };
    }

    private static String message(Change c) {
        DriftItem i = c.item();
        String what = i.reason() + (i.target().isEmpty() ? "" : " on " + i.target());
        String verb = switch (c.kind()) {
            case "drift.cleared" -> " cleared";
            case "drift.repaired" -> " repaired";
            case "drift.repair_failed" -> ", repair failed";
            default -> i.action() == DriftAction.WOULD_CHANGE ? ", not repaired (report mode)" : "";
        };
        String text = i.message().length() > MAX_MESSAGE ? i.message().substring(0, MAX_MESSAGE) + "..." : i.message();
        return text.isBlank() ? what + verb : what + verb + ": " + text;
    }

    private static String counts(List<Change> changes) {
        Map<String, Integer> byKind = new java.util.TreeMap<>();
        changes.forEach(c -> byKind.merge(c.kind().substring("drift.".length()).replace('_', ' '), 1, Integer::sum));
        StringBuilder b = new StringBuilder();
        byKind.forEach((k, n) -> b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(k));
        return b.toString();
    }
}
