package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.CreateAdminTokenRequest;
import org.mailcert.proto.v1.CreateAdminTokenResponse;
import org.mailcert.proto.v1.ListAdminTokensResponse;
import org.mailcert.proto.v1.RevokeAdminTokenRequest;
import org.mailcert.proto.v1.RevokeAdminTokenResponse;
import org.mailcert.proto.v1.Role;

class AdminTokenCommandTest extends CommandTestBase {
    static final CreateAdminTokenResponse CREATED = CreateAdminTokenResponse.newBuilder()
            .setToken("mcat_ci-readonly.c2VjcmV0LXRva2Vu")
            .setInfo(Fixtures.adminToken("ci-readonly", Role.ROLE_VIEWER, "2026-11-29T15:27:01Z"))
            .build();

    @Test
    void createSendsNameAndRole() {
        cli.service.reply("CreateAdminToken", CREATED);
        CliHarness.Result r = ok("admin-token", "create", "ci-readonly", "--role", "viewer");
        assertEquals(CreateAdminTokenRequest.newBuilder().setName("ci-readonly").setRole(Role.ROLE_VIEWER).build(),
                cli.service.onlyRequest(CreateAdminTokenRequest.class));
        Golden.assertMatches("cli", "admin-token-create.txt", r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals(CREATED.getToken(), lines.get(lines.size() - 1));
    }

    @Test
    void rolesMapToTheApi() {
        cli.service.reply("CreateAdminToken", CREATED);
        ok("admin-token", "create", "a", "--role", "operator");
        ok("admin-token", "create", "b", "--role", "ADMIN");
        assertEquals(List.of(Role.ROLE_OPERATOR, Role.ROLE_ADMIN), cli.service.calls().stream()
                .map(c -> ((CreateAdminTokenRequest) c.request()).getRole()).toList());
    }

    @Test
    void unknownRoleIsAUsageError() {
        CliHarness.Result r = cli.run("admin-token", "create", "x", "--role", "root");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'root' is not a role; use viewer, operator or admin"), r.err());
    }

    @Test
    void roleIsRequired() {
        assertEquals(2, cli.run("admin-token", "create", "x").exit());
    }

    static final ListAdminTokensResponse TOKENS = ListAdminTokensResponse.newBuilder()
            .addTokens(Fixtures.adminToken("admin", Role.ROLE_ADMIN, "2026-11-01T09:00:00Z"))
            .addTokens(Fixtures.adminToken("ci-readonly", Role.ROLE_VIEWER, "2026-11-29T15:27:01Z"))
            .build();

    @Test
    void listTable() {
        cli.service.reply("ListAdminTokens", TOKENS);
        Golden.assertMatches("cli", "admin-token-list.txt", ok("admin-token", "list").out());
    }

    @Test
    void listJson() {
        cli.service.reply("ListAdminTokens", TOKENS);
        String out = ok("admin-token", "list", "-o", "json").out();
        Golden.assertMatches("cli", "admin-token-list.json", out);
        assertJsonIs(TOKENS, out);
    }

    @Test
    void revokeSendsTheName() {
        cli.service.reply("RevokeAdminToken", RevokeAdminTokenResponse.getDefaultInstance());
        CliHarness.Result r = ok("admin-token", "revoke", "ci-readonly");
        assertEquals("ci-readonly", cli.service.onlyRequest(RevokeAdminTokenRequest.class).getName());
        assertEquals("Revoked admin token ci-readonly.\n", r.out());
        assertEquals("{\n}\n", ok("admin-token", "revoke", "ci-readonly", "-o", "json").out());
    }
}
