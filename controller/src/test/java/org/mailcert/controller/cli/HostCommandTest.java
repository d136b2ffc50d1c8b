package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.HostDetail;
import org.mailcert.proto.v1.ListHostsRequest;
import org.mailcert.proto.v1.ListHostsResponse;

class HostCommandTest extends CommandTestBase {
    static final ListHostsResponse HOSTS =
            ListHostsResponse.newBuilder().addHosts(Fixtures.mx1()).addHosts(Fixtures.pending())
                    .addHosts(Fixtures.qmail()).build();
    static final HostDetail DETAIL = HostDetail.newBuilder()
            .setHost(Fixtures.mx1())
            .addBindings(Fixtures.serverBinding())
            .addBindings(Fixtures.mailBinding())
            .addBindings(Fixtures.webmailBinding())
            .addAllBindingConditions(Fixtures.bindingConditions())
            .addAllDrift(Fixtures.driftItems())
            .build();

    @Test
    void listTable() {
        cli.service.reply("ListHosts", HOSTS);
        Golden.assertMatches("cli", "host-list.txt", ok("host", "list").out());
        assertEquals(ListHostsRequest.getDefaultInstance(), cli.service.onlyRequest(ListHostsRequest.class));
    }

    @Test
    void listJson() {
        cli.service.reply("ListHosts", HOSTS);
        String out = ok("host", "list", "--output", "json").out();
        Golden.assertMatches("cli", "host-list.json", out);
        assertJsonIs(HOSTS, out);
    }

    @Test
    void emptyListIsJustTheHeader() {
        cli.service.reply("ListHosts", ListHostsResponse.getDefaultInstance());
        assertEquals("HOST  STATE  SYNC  CONNECTED  LAST SEEN  APPLIED  DESIRED  AGENT  SOFTWARE  OS\n",
                ok("host", "list").out());
    }

    @Test
    void showAsksForTheHostAndPrintsFactsAndBindings() {
        cli.service.reply("GetHost", DETAIL);
        CliHarness.Result r = ok("host", "show", "mx1.example.net");
        assertEquals("mx1.example.net", cli.service.onlyRequest(GetHostRequest.class).getHost());
        Golden.assertMatches("cli", "host-show.txt", r.out());
    }

    @Test
    void showPrintsSyncStateModeReportConditionsAndDrift() {
        cli.service.reply("GetHost", DETAIL);
        String out = ok("host", "show", "mx1.example.net").out();
        assertTrue(out.contains("sync state         drifting\n"), out);
        assertTrue(out.contains("drift mode         report\n"), out);
        assertTrue(out.contains("last report        2026-11-29T15:26:58Z\n"), out);
        assertTrue(out.contains("last outcome       would change\n"), out);
        assertTrue(out.contains("drift items        2 outstanding\n"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("host +Ready +False +DomainUncovered +2026-11-29T15:00:00Z .*")),
                out);
        assertTrue(out.lines().anyMatch(l -> l.matches(
                "webmail/example.org +Installed +False +FileMissing +2026-11-29T15:10:00Z +/etc/nginx/.*")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches(
                "mail/example.com +FileChanged +postfix +repaired +2026-11-29T15:25:00Z .*")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches(
                "webmail/example.org +FileMissing +nginx +would change +2026-11-29T15:10:00Z .*")), out);
    }

    @Test
    void showWithoutAReportSaysNothingAboutDrift() {
        cli.service.reply("GetHost", HostDetail.newBuilder().setHost(Fixtures.qmail()).build());
        String out = ok("host", "show", "mx3.example.net").out();
        assertTrue(out.contains("sync state         in_sync\n"), out);
        assertTrue(out.contains("drift items        -\n"), out);
        assertFalse(out.contains("CONDITION OF"), out);
        assertFalse(out.contains("ACTION"), out);
    }

    @Test
    void showPendingHostWithoutBindings() {
        cli.service.reply("GetHost", HostDetail.newBuilder().setHost(Fixtures.pending()).build());
        Golden.assertMatches("cli", "host-show-pending.txt", ok("host", "show", "mx2.example.net").out());
    }

    @Test
    void showQmailHostWithItsSoftwareUncoveredDomainAndProblem() {
        cli.service.reply("GetHost", HostDetail.newBuilder().setHost(Fixtures.qmail()).build());
        String out = ok("host", "show", "mx3.example.net").out();
        Golden.assertMatches("cli", "host-show-qmail.txt", out);
        assertTrue(out.contains("qmail     1.03     no"), out);
        assertTrue(out.contains("uncovered domains  example.biz"), out);
    }

    @Test
    void showJson() {
        cli.service.reply("GetHost", DETAIL);
        String out = ok("host", "show", "mx1.example.net", "-o", "json").out();
        Golden.assertMatches("cli", "host-show.json", out);
        assertJsonIs(DETAIL, out);
    }

    @Test
    void unknownHost() {
        cli.service.fail("GetHost", Status.NOT_FOUND.withDescription("host mx9.example.net not found"));
        CliHarness.Result r = cli.run("host", "show", "mx9.example.net");
        assertEquals(1, r.exit());
        assertEquals("mailcert: host mx9.example.net not found\n", r.err());
    }
}
