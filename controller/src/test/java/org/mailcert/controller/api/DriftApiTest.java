package org.mailcert.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.testing.Reports.binding;
import static org.mailcert.controller.testing.Reports.item;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftMode;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.model.RunOutcome;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.testing.Controllers;
import org.mailcert.controller.testing.Reports;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import org.mailcert.proto.v1.Binding;
import org.mailcert.proto.v1.ExpiringCertificate;
import org.mailcert.proto.v1.FleetStatus;
import org.mailcert.proto.v1.GetFleetStatusRequest;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.HostDetail;
import org.mailcert.proto.v1.HostDriftItem;
import org.mailcert.proto.v1.ListBindingsRequest;
import org.mailcert.proto.v1.ListDriftRequest;
import org.mailcert.proto.v1.ListExpiringRequest;
import org.mailcert.proto.v1.ListExpiringResponse;

/**
 * GetFleetStatus, ListDrift, ListExpiring and the drift fields of GetHost and ListBindings, in
 * process, as a viewer. The fleet: mx1 drifting (report mode, one missing file), mx2 in sync, mx3
 * pending enrollment, mx4 revoked; "soon" (10 days) is bound on mx1 and mx2, "later" (90 days) on
 * mx1, "gone" (5 days) only on the revoked mx4.
 */
class DriftApiTest {
    private static final String MX1 = "mx1.example.net";
    private static final String MX2 = "mx2.example.net";
    private static final String MX3 = "mx3.example.net";
    private static final String MX4 = "mx4.example.net";

    @TempDir
    Path dir;
    Controllers c;
    InProcessAdmin api;
    AdminServiceBlockingStub viewer;
    Instant soonEnds;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        api = new InProcessAdmin(c);
        viewer = api.as(c.adminTokens.create(Caller.CONTROLLER, "dash", Role.VIEWER).token());
        for (String h : List.of(MX1, MX2, MX3, MX4)) {
            c.declareHost(h);
            c.setSni(h, SniSupport.YES);
        }
        var soon = c.pki.leaf("mail.a.example").validFor(Duration.ofDays(10)).issue();
        soonEnds = soon.certificate().getNotAfter().toInstant();
        c.importLeaf("soon", soon);
        c.importLeaf("later", c.pki.leaf(MX1).validFor(Duration.ofDays(90)).issue());
        c.importLeaf("gone", c.pki.leaf("mail.a.example").validFor(Duration.ofDays(5)).issue());
        c.bindings.bind(Controllers.OPERATOR, MX1, Scope.MAIL, "a.example", "soon");
        c.bindings.bind(Controllers.OPERATOR, MX1, Scope.SERVER, "", "later");
        c.bindings.bind(Controllers.OPERATOR, MX2, Scope.MAIL, "a.example", "soon");
        c.bindings.bind(Controllers.OPERATOR, MX4, Scope.MAIL, "a.example", "gone");
        for (String h : List.of(MX1, MX2, MX4)) {
            c.markEnrolled(h);
        }
        c.hosts.revoke(Controllers.OPERATOR, MX4);
        long desired = c.store.revision();
        String sha = Fingerprints.sha256Hex(c.store.certificate("soon").orElseThrow().leaf());
        DriftReport report = Reports.report(desired, DriftMode.REPORT, RunOutcome.WOULD_CHANGE,
                List.of(binding("mail/a.example", sha, "True", "True", desired),
                        binding("server", "", "False", "False", desired)),
                item("server", "FileMissing", "postfix", DriftAction.WOULD_CHANGE),
                item("server", "Expiring", "", DriftAction.REPORTED),
                item("mail/a.example", "FileChanged", "dovecot", DriftAction.REPAIRED));
        c.updateStatus(MX1, s -> s.applied(c.clock.instant(), desired).reported(c.clock.instant(), report));
        c.updateStatus(MX2, s -> s.applied(c.clock.instant(), desired));
        c.connected.addAll(List.of(MX1, MX2));
    }

    @AfterEach
    void tearDown() throws Exception {
        api.close();
        c.close();
    }


    @Test
    void fleetStatusCountsEachHostOnceAndOutstandingDriftOfLiveHosts() {
        FleetStatus s = viewer.getFleetStatus(GetFleetStatusRequest.getDefaultInstance());
        assertEquals(4, s.getHosts());
        assertEquals(2, s.getConnected());
        assertEquals(List.of(1, 1, 0, 1, 1), List.of(s.getInSync(), s.getDrifting(), s.getFailing(), s.getPending(),
                s.getRevoked()));
        assertEquals(Map.of("FileMissing", 1, "Expiring", 1), s.getDriftByReasonMap(), "the repaired item is not outstanding");
        assertEquals(30 * 86_400L, s.getExpiringWithinSeconds());
        assertEquals(List.of("soon"), s.getExpiringList().stream().map(ExpiringCertificate::getName).toList(),
                "later ends in 90 days; gone is bound only by a revoked host");
    }

    @Test
    void expiringListsBoundCertificatesSoonestFirstWithTheirHosts() {
        ListExpiringResponse r = viewer.listExpiring(ListExpiringRequest.newBuilder()
                .setWithinSeconds(Duration.ofDays(100).toSeconds()).build());
        assertEquals(List.of("soon", "later"), r.getCertificatesList().stream().map(ExpiringCertificate::getName).toList());
        ExpiringCertificate soon = r.getCertificates(0);
        assertEquals(List.of(MX1, MX2), soon.getHostsList());
        assertEquals(1, soon.getVersion());
        assertEquals(Fingerprints.sha256Hex(c.store.certificate("soon").orElseThrow().leaf()), soon.getSha256());
        assertEquals(soonEnds.getEpochSecond(), soon.getNotAfter().getSeconds());
        assertEquals(Math.floorDiv(soonEnds.getEpochSecond() - c.clock.instant().getEpochSecond(), 86_400L),
                soon.getDaysLeft());
        assertEquals(List.of(MX1), r.getCertificates(1).getHostsList());
        assertEquals(Duration.ofDays(100).toSeconds(), r.getWithinSeconds());
    }

    @Test
    void anEndedCertificateHasNegativeDaysLeft() {
        c.clock.advance(Duration.ofDays(12));
        ListExpiringResponse r = viewer.listExpiring(ListExpiringRequest.getDefaultInstance());
        assertEquals(30 * 86_400L, r.getWithinSeconds());
        ExpiringCertificate soon = r.getCertificatesList().stream().filter(e -> e.getName().equals("soon")).findFirst()
                .orElseThrow();
        assertTrue(soon.getDaysLeft() < 0 && soon.getDaysLeft() >= -2, "days left " + soon.getDaysLeft());
    }

    @Test
    void aNegativeOrEndlessWindowIsRefused() {
        for (long seconds : new long[] {-1, Long.MAX_VALUE}) {
            var e = assertThrows(StatusRuntimeException.class, () -> viewer.listExpiring(
                    ListExpiringRequest.newBuilder().setWithinSeconds(seconds).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("the expiry window must be positive and at most 3650"
                    + " days"), e.getStatus().getDescription());
        }
        var e = assertThrows(StatusRuntimeException.class, () -> viewer.getFleetStatus(
                GetFleetStatusRequest.newBuilder().setExpiringWithinSeconds(-5).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void driftListsEveryItemSortedWithModeAndTimeOfTheReport() {
        List<HostDriftItem> all = viewer.listDrift(ListDriftRequest.getDefaultInstance()).getItemsList();
        assertEquals(List.of("mail/a.example FileChanged", "server Expiring", "server FileMissing"), all.stream()
                .map(d -> d.getItem().getSubject() + " " + d.getItem().getReason()).toList());
        assertTrue(all.stream().allMatch(d -> d.getHost().equals(MX1)));
        assertEquals(org.mailcert.proto.v1.DriftMode.DRIFT_MODE_REPORT, all.get(0).getMode());
        assertEquals(org.mailcert.proto.v1.DriftAction.DRIFT_ACTION_REPAIRED, all.get(0).getItem().getAction());
        assertEquals(c.clock.instant().getEpochSecond(), all.get(0).getReported().getSeconds());
        assertEquals("postfix", all.get(2).getItem().getTarget());
        assertEquals(all, viewer.listDrift(ListDriftRequest.newBuilder().setHost("MX1.Example.NET.").build())
                .getItemsList(), "one host by any spelling of its name");
        assertEquals(List.of(), viewer.listDrift(ListDriftRequest.newBuilder().setHost(MX2).build()).getItemsList());
    }

    @Test
    void driftOfAnUnknownHostIsNotFound() {
        var e = assertThrows(StatusRuntimeException.class,
                () -> viewer.listDrift(ListDriftRequest.newBuilder().setHost("mx9.example.net").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("no host mx9.example.net; see `mailcert host list`", e.getStatus().getDescription());
        var bad = assertThrows(StatusRuntimeException.class,
                () -> viewer.listDrift(ListDriftRequest.newBuilder().setHost("../etc").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    }

    @Test
    void getHostShowsSyncStateReportConditionsAndDrift() {
        HostDetail d = viewer.getHost(GetHostRequest.newBuilder().setHost(MX1).build());
        var h = d.getHost();
        assertEquals("drifting", h.getSyncState());
        assertEquals(org.mailcert.proto.v1.DriftMode.DRIFT_MODE_REPORT, h.getMode());
        assertEquals(org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_WOULD_CHANGE, h.getLastOutcome());
        assertEquals(c.clock.instant().getEpochSecond(), h.getLastReport().getSeconds());
        assertEquals(2, h.getDriftItems(), "FileMissing and Expiring; the repair is done");
        assertEquals(List.of("Ready"), h.getConditionsList().stream().map(x -> x.getType()).toList());
        assertEquals(List.of("mail/a.example", "server"), d.getBindingConditionsList().stream()
                .map(x -> x.getId()).toList());
        assertEquals(3, d.getDriftCount());
        assertEquals("in_sync", viewer.getHost(GetHostRequest.newBuilder().setHost(MX2).build()).getHost().getSyncState());
        assertEquals("pending", viewer.getHost(GetHostRequest.newBuilder().setHost(MX3).build()).getHost().getSyncState());
        var revoked = viewer.getHost(GetHostRequest.newBuilder().setHost(MX4).build()).getHost();
        assertEquals("revoked", revoked.getSyncState());
        assertFalse(revoked.hasLastReport());
    }

    @Test
    void bindingStatesFollowTheReport() {
        Map<String, String> states = new java.util.TreeMap<>();
        for (Binding b : viewer.listBindings(ListBindingsRequest.newBuilder().setHost(MX1).build()).getBindingsList()) {
            states.put(b.getServedName(), b.getState());
        }
        assertEquals(Map.of("mail.a.example", "served", MX1, "failed"), states);
        assertEquals(List.of("installed"), viewer.listBindings(ListBindingsRequest.newBuilder().setHost(MX2).build())
                .getBindingsList().stream().map(Binding::getState).toList());
    }
}
