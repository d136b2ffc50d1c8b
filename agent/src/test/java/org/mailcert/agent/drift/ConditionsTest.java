package org.mailcert.agent.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conditions from drift items, and transition times that move only with the status. */
class ConditionsTest {
    private static final Instant T1 = Instant.parse("2026-11-30T01:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-30T01:05:00Z");
    private static final Instant T3 = Instant.parse("2026-11-30T01:10:00Z");

    private static DriftItem item(Reason r, String subject) {
        return new DriftItem(r, subject, "postfix", r.label() + " of " + subject);
    }

    private static String line(Condition c) {
        return c.type().label() + "=" + c.status().label() + " " + c.reason() + " since " + c.lastTransitionTime()
                + " v" + c.observedVersion();
    }

    @Test
    void noDriftMakesEveryConditionTrue() {
        assertEquals(List.of("Installed=True Installed since " + T1 + " v7", "Served=True Served since " + T1 + " v7",
                "Ready=True Ready since " + T1 + " v7"),
                Conditions.of("mail/a.example", List.of(), 7, T1).stream().map(ConditionsTest::line).toList());
    }

    @Test
    void eachKindOfDriftFailsItsConditionAndReady() {
        List<DriftItem> items = List.of(item(Reason.SERVED_MISMATCH, "mail/a.example"),
                item(Reason.FILE_MISSING, "mail/b.example"), item(Reason.EXPIRING, "mail/c.example"),
                item(Reason.UNTRUSTED, "mail/d.example"), item(Reason.CONFIG_EDITED, DriftItem.HOST));
        assertEquals(List.of("Installed=False ConfigEdited", "Served=False ServedMismatch", "Ready=False ConfigEdited"),
                short3(Conditions.of("mail/a.example", items, 7, T1)), "a host item counts for every binding");
        assertEquals(List.of("Installed=True Installed", "Served=True Served", "Ready=True Ready"),
                short3(Conditions.of("mail/c.example", List.of(item(Reason.EXPIRING, "mail/c.example")), 7, T1)),
                "expiring is drift to report, but the certificate still works");
        assertEquals(List.of("Installed=True Installed", "Served=True Served", "Ready=False Untrusted"),
                short3(Conditions.of("mail/d.example", List.of(item(Reason.UNTRUSTED, "mail/d.example")), 7, T1)));
    }

    private static List<String> short3(List<Condition> cs) {
        return cs.stream().map(c -> c.type().label() + "=" + c.status().label() + " " + c.reason()).toList();
    }

    @Test
    void theTransitionTimeMovesOnlyWhenTheStatusChanges() {
        List<Condition> first = Conditions.of("mail/a.example", List.of(), 7, T1);
        List<Condition> drifted = Conditions.merge(first,
                Conditions.of("mail/a.example", List.of(item(Reason.SERVED_MISMATCH, "mail/a.example")), 7, T2));
        assertEquals(List.of("Installed=True Installed since " + T1 + " v7",
                "Served=False ServedMismatch since " + T2 + " v7", "Ready=False ServedMismatch since " + T2 + " v7"),
                drifted.stream().map(ConditionsTest::line).toList());
        List<Condition> otherReason = Conditions.merge(drifted,
                Conditions.of("mail/a.example", List.of(item(Reason.NAME_MISMATCH, "mail/a.example")), 8, T3));
        assertEquals(List.of("Installed=True Installed since " + T1 + " v8",
                "Served=False NameMismatch since " + T2 + " v8", "Ready=False NameMismatch since " + T2 + " v8"),
                otherReason.stream().map(ConditionsTest::line).toList(),
                "still false: the reason and version move, the transition time does not");
    }
}
