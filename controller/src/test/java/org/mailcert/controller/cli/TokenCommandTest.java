package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.CreateJoinTokenResponse;

class TokenCommandTest extends CommandTestBase {
    static final CreateJoinTokenResponse RESPONSE = CreateJoinTokenResponse.newBuilder()
            .setToken("mcjt_0f3a9c.Zm9vYmFyYmF6cXV4")
            .setHost("mx2.example.net")
            .setExpires(Fixtures.at("2026-12-06T15:27:01Z"))
            .setCaSha256("9b1e4f0a7c2d3e5f60718293a4b5c6d7e8f90112233445566778899aabbccdd0")
            .setHostCreated(true)
            .build();

    @BeforeEach
    void canned() {
        cli.service.reply("CreateJoinToken", RESPONSE);
    }

    @Test
    void createSendsHostAndTtlInSeconds() {
        ok("token", "create", "--host", "mx2.example.net", "--ttl", "7d");
        assertEquals(CreateJoinTokenRequest.newBuilder().setHost("mx2.example.net").setTtlSeconds(7 * 24 * 3600).build(),
                cli.service.onlyRequest(CreateJoinTokenRequest.class));
    }

    @Test
    void withoutTtlTheControllerDefaultApplies() {
        ok("token", "create", "--host", "mx2.example.net");
        assertEquals(0, cli.service.onlyRequest(CreateJoinTokenRequest.class).getTtlSeconds());
    }

    @Test
    void tableEndsWithTheTokenAloneOnItsLine() {
        CliHarness.Result r = ok("token", "create", "--host", "mx2.example.net", "--ttl", "1h");
        Golden.assertMatches("cli", "token-create.txt", r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals(RESPONSE.getToken(), lines.get(lines.size() - 1));
    }

    @Test
    void json() {
        CliHarness.Result r = ok("token", "create", "--host", "mx2.example.net", "-o", "json");
        Golden.assertMatches("cli", "token-create.json", r.out());
        assertJsonIs(RESPONSE, r.out());
    }

    @Test
    void badTtlIsAUsageError() {
        CliHarness.Result r = cli.run("token", "create", "--host", "mx2.example.net", "--ttl", "1 week");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'1 week' is not a duration; use a number and a unit (ms, s, m, h, d), e.g. 30m, 1h or 7d"), r.err());
        assertTrue(cli.service.calls().isEmpty());
    }

    @Test
    void hostIsRequired() {
        CliHarness.Result r = cli.run("token", "create");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required option: '--host=FQDN'"), r.err());
    }
}
