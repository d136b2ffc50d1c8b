package org.mailcert.controller.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.testing.Reports.item;
import static org.mailcert.controller.testing.Reports.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.RunOutcome;

class DriftEventsTest {
    private static final String HOST = "mx1.example.net";
    private static final DriftItem MISSING = item("mail/a.example", "FileMissing", "postfix",
            DriftAction.WOULD_CHANGE);
    private static final DriftItem EXPIRING = item("server", "Expiring", "", DriftAction.REPORTED);

    private static List<String> kinds(List<Event> events) {
        return events.stream().map(Event::kind).toList();
    }

    @Test
    void theFirstReportDetectsEachItemAsTheAgent() {
        List<Event> events = DriftEvents.between(HOST, Optional.empty(),
                report(5, RunOutcome.WOULD_CHANGE, MISSING, EXPIRING));
        assertEquals(List.of("drift.detected", "drift.detected"), kinds(events));
        Event first = events.get(0);
        assertEquals("agent:" + HOST, first.actor());
        assertEquals(HOST, first.host());
        assertEquals("mail/a.example", first.subject());
        assertEquals("FileMissing on postfix, not repaired (report mode): FileMissing of mail/a.example seen by postfix",
                first.message());
        assertEquals("server", events.get(1).subject());
        assertEquals("Expiring: Expiring of server seen by ", events.get(1).message());
    }

    @Test
    void anIdenticalReportWritesNothing() {
        DriftReport r = report(5, RunOutcome.WOULD_CHANGE, MISSING, EXPIRING);
        assertEquals(List.of(), DriftEvents.between(HOST, Optional.of(r), r));
        DriftReport again = report(5, RunOutcome.WOULD_CHANGE, EXPIRING, MISSING);
        assertEquals(List.of(), DriftEvents.between(HOST, Optional.of(r), again), "order does not matter");
    }

    @Test
    void aRepairIsACorrectiveChangeAndItsDisappearanceIsNotAlsoCleared() {
        DriftReport before = report(5, RunOutcome.IN_SYNC);
        DriftItem repaired = item("mail/a.example", "FileMissing", "postfix", DriftAction.REPAIRED);
        DriftReport repair = report(5, RunOutcome.CORRECTIVE_CHANGE, repaired);
        List<Event> events = DriftEvents.between(HOST, Optional.of(before), repair);
        assertEquals(List.of("drift.repaired"), kinds(events));
        assertTrue(events.get(0).message().startsWith("FileMissing on postfix repaired: "), events.get(0).message());
        assertEquals(List.of(), DriftEvents.between(HOST, Optional.of(repair), report(5, RunOutcome.IN_SYNC)),
                "the repaired item leaving the next report is no news");
    }

    @Test
    void anItemThatGoesAwayUnrepairedIsCleared() {
        List<Event> events = DriftEvents.between(HOST, Optional.of(report(5, RunOutcome.WOULD_CHANGE, MISSING, EXPIRING)),
                report(6, RunOutcome.IN_SYNC, EXPIRING));
        assertEquals(List.of("drift.cleared"), kinds(events));
        assertEquals("mail/a.example", events.get(0).subject());
        assertTrue(events.get(0).message().startsWith("FileMissing on postfix cleared: "), events.get(0).message());
    }

    @Test
    void aFailedRepairIsItsOwnEventAndAChangedActionIsNews() {
        DriftItem failed = item("mail/a.example", "FileMissing", "postfix", DriftAction.REPAIR_FAILED);
        List<Event> events = DriftEvents.between(HOST, Optional.of(report(5, RunOutcome.WOULD_CHANGE, MISSING)),
                report(5, RunOutcome.FAILED, failed));
        assertEquals(List.of("drift.repair_failed"), kinds(events));
        assertTrue(events.get(0).message().startsWith("FileMissing on postfix, repair failed: "), events.get(0).message());
    }

    @Test
    void theSameItemSeenAgainAfterABreakIsDetectedAgain() {
        DriftItem later = item("mail/a.example", "FileMissing", "postfix", DriftAction.WOULD_CHANGE,
                MISSING.since().orElseThrow().plusSeconds(600));
        assertEquals(List.of("drift.detected"), kinds(DriftEvents.between(HOST,
                Optional.of(report(5, RunOutcome.WOULD_CHANGE, MISSING)), report(5, RunOutcome.WOULD_CHANGE, later))));
    }

    @Test
    void itemsDifferingOnlyInTargetAreDifferentItems() {
        DriftItem dovecot = item("mail/a.example", "FileMissing", "dovecot", DriftAction.WOULD_CHANGE);
        List<Event> events = DriftEvents.between(HOST, Optional.of(report(5, RunOutcome.WOULD_CHANGE, MISSING)),
                report(5, RunOutcome.WOULD_CHANGE, MISSING, dovecot));
        assertEquals(List.of("drift.detected"), kinds(events));
        assertTrue(events.get(0).message().startsWith("FileMissing on dovecot"), events.get(0).message());
    }

    @Test
    void aHugeReportIsCappedWithOneSummary() {
        List<DriftItem> items = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            items.add(item("mail/d" + i + ".example", "ServedMismatch", "postfix", DriftAction.WOULD_CHANGE));
        }
        DriftReport huge = report(5, RunOutcome.WOULD_CHANGE, items.toArray(DriftItem[]::new));
        List<Event> events = DriftEvents.between(HOST, Optional.empty(), huge);
        assertEquals(DriftEvents.MAX_PER_REPORT + 1, events.size());
        Event summary = events.get(events.size() - 1);
        assertEquals("drift.more", summary.kind());
        assertEquals("host", summary.subject());
        assertEquals("and 4900 more drift changes in this report of mx1.example.net (4900 detected);"
                + " see mailcert drift --host mx1.example.net", summary.message());
        assertEquals(List.of(), DriftEvents.between(HOST, Optional.of(huge), huge), "repeating it writes nothing");
    }

    @Test
    void longAgentMessagesAreCut() {
        DriftItem chatty = new DriftItem("ConfigEdited", "host", "postfix", "x".repeat(5_000),
                Optional.of(org.mailcert.controller.testing.Reports.SINCE), DriftAction.WOULD_CHANGE);
        Event e = DriftEvents.between(HOST, Optional.empty(), report(5, RunOutcome.WOULD_CHANGE, chatty)).get(0);
        assertTrue(e.message().length() < DriftEvents.MAX_MESSAGE + 100, "length " + e.message().length());
        assertTrue(e.message().endsWith("x..."), e.message());
    }
}
