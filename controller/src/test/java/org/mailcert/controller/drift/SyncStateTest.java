package org.mailcert.controller.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mailcert.controller.testing.Reports.item;
import static org.mailcert.controller.testing.Reports.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.RunOutcome;

class SyncStateTest {
    private static final Instant T = Instant.parse("2026-11-29T15:00:00Z");
    private static final String FQDN = "mx1.example.net";

    private static Host host(HostState state) {
        return new Host(FQDN, "id", state, T, Map.of(), List.of(), 10);
    }

    private static final Host ENROLLED = host(HostState.ENROLLED);
    private static final HostStatus ACKED = HostStatus.unknown(FQDN).applied(T, 10);

    private static SyncState of(HostStatus status, long desired, boolean connected) {
        return SyncState.of(ENROLLED, status, desired, connected);
    }

    private static HostStatus acked(DriftReport r) {
        return ACKED.reported(T, r);
    }

    @Test
    void revokedAndNotEnrolledComeFirst() {
        HostStatus failing = ACKED.refused(T, "postfix check failed");
        assertEquals(SyncState.REVOKED, SyncState.of(host(HostState.REVOKED), failing, 10, false));
        assertEquals(SyncState.PENDING, SyncState.of(host(HostState.PENDING_ENROLLMENT), failing, 10, false));
    }

    @Test
    void anEnrolledHostWithNeitherAckNorReportIsPending() {
        assertEquals(SyncState.PENDING, of(HostStatus.unknown(FQDN), 10, true));
        assertEquals(SyncState.PENDING, of(HostStatus.unknown(FQDN).seen(T, ACKED.facts()), 10, false),
                "a Hello alone says nothing about the state");
    }

    @Test
    void aNackOrAFailedCycleIsFailing() {
        assertEquals(SyncState.FAILING, of(HostStatus.unknown(FQDN).refused(T, "nginx -t failed"), 10, true),
                "even before any Ack");
        assertEquals(SyncState.FAILING, of(acked(report(10, RunOutcome.FAILED)), 10, true));
        assertEquals(SyncState.IN_SYNC, of(ACKED.refused(T, "x").applied(T, 10), 10, true), "an Ack clears it");
    }

    @Test
    void itemsThatNeedActionMakeItDrifting() {
        for (DriftAction a : List.of(DriftAction.WOULD_CHANGE, DriftAction.REPAIR_FAILED)) {
            assertEquals(SyncState.DRIFTING, of(acked(report(10, RunOutcome.WOULD_CHANGE,
                    item("server", "FileMissing", "postfix", a))), 10, true), a.name());
        }
        assertEquals(SyncState.DRIFTING, of(acked(report(10, RunOutcome.IN_SYNC,
                item("server", "Untrusted", "", DriftAction.REPORTED))), 10, true));
    }

    @Test
    void repairedExpiringAndUncoveredAreNotDrift() {
        HostStatus s = acked(report(10, RunOutcome.CORRECTIVE_CHANGE,
                item("server", "FileMissing", "postfix", DriftAction.REPAIRED),
                item("server", "Expiring", "", DriftAction.REPORTED),
                item("host", "DomainUncovered", "", DriftAction.REPORTED)));
        assertEquals(SyncState.IN_SYNC, of(s, 10, true));
    }

    @Test
    void beingBehindIsDriftOnlyWhileDisconnected() {
        assertEquals(SyncState.IN_SYNC, of(ACKED, 12, true), "a connected agent is being sent version 12");
        assertEquals(SyncState.DRIFTING, of(ACKED, 12, false));
        assertEquals(SyncState.IN_SYNC, of(ACKED, 10, false));
    }

    @Test
    void labelsAreTheApiNames() {
        assertEquals(List.of("in_sync", "drifting", "failing", "pending", "revoked"),
                java.util.Arrays.stream(SyncState.values()).map(SyncState::label).toList());
    }
}
