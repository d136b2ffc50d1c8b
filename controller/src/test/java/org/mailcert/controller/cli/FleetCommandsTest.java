package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.FleetStatus;
import org.mailcert.proto.v1.GetFleetStatusRequest;
import org.mailcert.proto.v1.HostDriftItem;
import org.mailcert.proto.v1.ListDriftRequest;
import org.mailcert.proto.v1.ListDriftResponse;
import org.mailcert.proto.v1.ListExpiringRequest;
import org.mailcert.proto.v1.ListExpiringResponse;
import org.mailcert.proto.v1.DriftMode;

/** {@code mailcert status}, {@code drift} and {@code expiring}: requests, tables, JSON and usage errors. */
class FleetCommandsTest extends CommandTestBase {
    static final ListExpiringResponse EXPIRING = ListExpiringResponse.newBuilder()
            .addCertificates(Fixtures.expiring("old-mx3", 2, "2026-11-26T00:00:00Z", -4, "mx3.example.net"))
            .addCertificates(Fixtures.expiring("wildcard-example-org", 1, "2026-12-11T23:59:59Z", 12,
                    "mx1.example.net", "mx4.example.net"))
            .setWithinSeconds(30 * 86_400L)
            .build();

    static final FleetStatus STATUS = FleetStatus.newBuilder()
            .setHosts(5).setConnected(3).setInSync(2).setDrifting(1).setFailing(1).setPending(1).setRevoked(0)
            .putDriftByReason("FileMissing", 1)
            .putDriftByReason("DomainUncovered", 1)
            .addAllExpiring(EXPIRING.getCertificatesList())
            .setExpiringWithinSeconds(30 * 86_400L)
            .build();

    static final ListDriftResponse DRIFT = drift();

    private static ListDriftResponse drift() {
        var b = ListDriftResponse.newBuilder();
        for (var item : Fixtures.driftItems()) {
            b.addItems(HostDriftItem.newBuilder().setHost("mx1.example.net").setItem(item)
                    .setMode(DriftMode.DRIFT_MODE_REPORT).setReported(Fixtures.at("2026-11-29T15:26:58Z")));
        }
        return b.build();
    }

    @Test
    void statusTableCountsHostsDriftAndExpiring() {
        cli.service.reply("GetFleetStatus", STATUS);
        String out = ok("status").out();
        Golden.assertMatches("cli", "status.txt", out);
        assertEquals(GetFleetStatusRequest.getDefaultInstance(), cli.service.onlyRequest(GetFleetStatusRequest.class),
                "without --within the controller's default window applies");
        assertTrue(out.contains("drifting   1\n"), out);
        assertTrue(out.contains("Certificates ending within 30 days:\n"), out);
    }

    @Test
    void statusOfAQuietFleetSaysSo() {
        cli.service.reply("GetFleetStatus", FleetStatus.newBuilder().setHosts(1).setInSync(1)
                .setExpiringWithinSeconds(7 * 86_400L).build());
        String out = ok("status", "--within", "7d").out();
        assertEquals(7 * 86_400L, cli.service.onlyRequest(GetFleetStatusRequest.class).getExpiringWithinSeconds());
        assertTrue(out.contains("No outstanding drift.\n"), out);
        assertTrue(out.endsWith("No bound certificate ends within 7 days.\n"), out);
    }

    @Test
    void statusJson() {
        cli.service.reply("GetFleetStatus", STATUS);
        String out = ok("status", "-o", "json").out();
        Golden.assertMatches("cli", "status.json", out);
        assertJsonIs(STATUS, out);
    }

    @Test
    void driftTableShowsWhatTheAgentDid() {
        cli.service.reply("ListDrift", DRIFT);
        String out = ok("drift").out();
        Golden.assertMatches("cli", "drift.txt", out);
        assertEquals(ListDriftRequest.getDefaultInstance(), cli.service.onlyRequest(ListDriftRequest.class));
        assertTrue(out.lines().anyMatch(l -> l.matches("mx1.example.net +mail/example.com +FileChanged +repaired .*")),
                out);
        assertTrue(out.lines().anyMatch(l -> l.matches(
                "mx1.example.net +webmail/example.org +FileMissing +would change +2026-11-29T15:10:00Z .*")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("mx1.example.net +host +DomainUncovered +reported .*")), out);
    }

    @Test
    void driftOfOneHostAsksForIt() {
        cli.service.reply("ListDrift", ListDriftResponse.getDefaultInstance());
        String out = ok("drift", "--host", "mx1.example.net").out();
        assertEquals("mx1.example.net", cli.service.onlyRequest(ListDriftRequest.class).getHost());
        assertEquals("HOST  BINDING  REASON  ACTION  SINCE  MESSAGE\n", out);
    }

    @Test
    void driftJson() {
        cli.service.reply("ListDrift", DRIFT);
        String out = ok("drift", "--output", "json").out();
        Golden.assertMatches("cli", "drift.json", out);
        assertJsonIs(DRIFT, out);
    }

    @Test
    void driftOfAnUnknownHostIsAnError() {
        cli.service.fail("ListDrift", Status.NOT_FOUND.withDescription("no host mx9.example.net; see `mailcert host list`"));
        CliHarness.Result r = cli.run("drift", "--host", "mx9.example.net");
        assertEquals(1, r.exit());
        assertEquals("mailcert: no host mx9.example.net; see `mailcert host list`\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void expiringTableSoonestFirstWithExpiredMarked() {
        cli.service.reply("ListExpiring", EXPIRING);
        String out = ok("expiring", "--within", "30d").out();
        Golden.assertMatches("cli", "expiring.txt", out);
        assertEquals(30 * 86_400L, cli.service.onlyRequest(ListExpiringRequest.class).getWithinSeconds());
        assertTrue(out.lines().anyMatch(l -> l.matches("old-mx3 +2 +2026-11-26T00:00:00Z +-4 \\(expired\\) +mx3.example.net")),
                out);
        assertTrue(out.contains("mx1.example.net, mx4.example.net"), out);
    }

    @Test
    void expiringJson() {
        cli.service.reply("ListExpiring", EXPIRING);
        String out = ok("expiring", "-o", "json").out();
        Golden.assertMatches("cli", "expiring.json", out);
        assertJsonIs(EXPIRING, out);
        assertEquals(0, cli.service.onlyRequest(ListExpiringRequest.class).getWithinSeconds());
    }

    @Test
    void aBadWindowIsBadUsage() {
        for (String bad : new String[] {"soon", "0", "-3d"}) {
            CliHarness.Result r = cli.run("expiring", "--within", bad);
            assertEquals(2, r.exit(), bad + ": " + r.err());
            assertTrue(r.err().contains("--within"), r.err());
        }
        CliHarness.Result r = cli.run("status", "--within", "thirty days");
        assertEquals(2, r.exit(), r.err());
        assertTrue(cli.service.calls().isEmpty(), "nothing may be sent on bad usage");
    }

    @Test
    void aViewerWithoutAccessSeesWhy() {
        cli.service.fail("GetFleetStatus", Status.PERMISSION_DENIED.withDescription("this needs the viewer role"));
        CliHarness.Result r = cli.run("status");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("mailcert: this needs the viewer role; "), r.err());
    }
}
