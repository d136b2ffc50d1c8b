package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.Event;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.ListEventsResponse;

class EventsCommandTest extends CommandTestBase {
    static final ListEventsResponse RECENT = ListEventsResponse.newBuilder()
            .addEvents(Fixtures.event(17, "2026-11-29T15:20:00Z", "admin:ops", "binding.created", "mx1.example.net",
                    "server", "bound mx1-self as the server-wide certificate"))
            .addEvents(Fixtures.event(18, "2026-11-29T15:20:04.900Z", "agent:mx1.example.net", "binding.installed",
                    "mx1.example.net", "server", "installed for postfix, dovecot; reloaded"))
            .addEvents(Fixtures.event(19, "2026-11-29T15:21:00Z", "controller", "certificate.renewal_failed", "",
                    "wildcard-example-org", "ACME order failed: DNS problem: NXDOMAIN looking up TXT for\n_acme-challenge.example.org"))
            .build();

    static final List<Event> LIVE = List.of(
            Fixtures.event(20, "2026-11-29T15:30:00Z", "agent:mx1.example.net", "drift.detected", "mx1.example.net",
                    "mail example.com", "postfix serves sha256 1a2b..., expected 5f1c..."),
            Fixtures.event(21, "2026-11-29T15:30:02Z", "agent:mx1.example.net", "drift.repaired", "mx1.example.net",
                    "mail example.com", "reinstalled; live probe ok"));

    @BeforeEach
    void canned() {
        cli.service.reply("ListEvents", RECENT).watch(LIVE);
    }

    @Test
    void listSendsHostAndLimit() {
        ok("events", "--host", "mx1.example.net", "--limit", "50");
        assertEquals(ListEventsRequest.newBuilder().setHost("mx1.example.net").setLimit(50).build(),
                cli.service.onlyRequest(ListEventsRequest.class));
    }

    @Test
    void listWithoutFiltersLeavesThemToTheController() {
        ok("events");
        assertEquals(ListEventsRequest.getDefaultInstance(), cli.service.onlyRequest(ListEventsRequest.class));
    }

    @Test
    void listTable() {
        Golden.assertMatches("cli", "events.txt", ok("events").out());
    }

    @Test
    void listJson() {
        String out = ok("events", "-o", "json").out();
        Golden.assertMatches("cli", "events.json", out);
        assertJsonIs(RECENT, out);
    }

    @Test
    void limitMustBePositive() {
        CliHarness.Result r = cli.run("events", "--limit", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--limit must be at least 1, got 0"), r.err());
    }

    @Test
    void followListsThenWatchesAfterTheLastSeenEventWithoutDeadline() {
        CliHarness.Result r = ok("events", "--follow", "--host", "mx1.example.net");
        List<FakeAdminService.Call> calls = cli.service.calls();
        assertEquals(List.of("ListEvents", "WatchEvents"), calls.stream().map(FakeAdminService.Call::method).toList());
        assertEquals(ListEventsRequest.newBuilder().setHost("mx1.example.net").setAfterSeq(19).build(), calls.get(1).request());
        assertNotNull(calls.get(0).deadline());
        assertNull(calls.get(1).deadline(), "a followed stream runs until interrupted");
        Golden.assertMatches("cli", "events-follow.txt", r.out());
    }

    @Test
    void followWithNoEarlierEventsWatchesFromTheStart() {
        cli.service.reply("ListEvents", ListEventsResponse.getDefaultInstance());
        ok("events", "-f");
        assertEquals(0, ((ListEventsRequest) cli.service.calls().get(1).request()).getAfterSeq());
    }

    @Test
    void followJsonPrintsOneObjectPerLine() {
        CliHarness.Result r = ok("events", "--follow", "--output", "json");
        Golden.assertMatches("cli", "events-follow.jsonl", r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals(5, lines.size());
        assertJsonIs(RECENT.getEvents(0), lines.get(0));
        assertJsonIs(LIVE.get(1), lines.get(4));
    }

    @Test
    void streamFailureEndsWithOneLine() {
        cli.service.fail("WatchEvents", Status.UNAVAILABLE.withDescription("controller shutting down"));
        CliHarness.Result r = cli.run("events", "--follow");
        assertEquals(1, r.exit());
        assertEquals("mailcert: cannot reach the controller at localhost:7443 (controller shutting down);"
                + " is mailcert-controller running? set --controller or MAILCERT_CONTROLLER\n", r.err());
    }
}
