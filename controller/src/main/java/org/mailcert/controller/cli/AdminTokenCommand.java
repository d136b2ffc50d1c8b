package org.mailcert.controller.cli;

import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.AdminToken;
import org.mailcert.proto.v1.CreateAdminTokenRequest;
import org.mailcert.proto.v1.CreateAdminTokenResponse;
import org.mailcert.proto.v1.ListAdminTokensRequest;
import org.mailcert.proto.v1.ListAdminTokensResponse;
import org.mailcert.proto.v1.RevokeAdminTokenRequest;
import org.mailcert.proto.v1.RevokeAdminTokenResponse;
import org.mailcert.proto.v1.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mailcert admin-token}: hand out, list and revoke admin tokens with a role. */
@Command(name = "admin-token", description = "Admin tokens: viewer (read only), operator, admin.")
final class AdminTokenCommand {
    @ParentCommand
    MailcertCli cli;

    /** {@code admin-token create NAME --role viewer|operator|admin}. */
    @Command(name = "create", description = {
        "Create an admin token with a role; the token is the last line of the output, shown once.",
        "viewer reads everything except secrets; operator also changes certificates, bindings, hosts;",
        "admin also manages admin tokens."})
    int create(
            @Parameters(paramLabel = "NAME", description = "Who or what the token is for, e.g. ci-readonly.") String name,
            @Option(names = "--role", required = true, paramLabel = "viewer|operator|admin",
                    converter = Formats.RoleConverter.class, description = "What the token may do.") Role role)
            throws CliException {
        CreateAdminTokenResponse response = cli.client().call()
                .createAdminToken(CreateAdminTokenRequest.newBuilder().setName(name).setRole(role).build());
        cli.output().print(response, () -> {
            AdminToken info = response.getInfo();
            return Table.keyValue()
                    .row("name", info.getName())
                    .row("role", Formats.name(info.getRole()))
                    .row("created", Formats.time(info.getCreated()))
                    .row("use", "save it to a file (mode 0600) for --token-file, or set MAILCERT_TOKEN")
                    .row("token", "shown once, on the next line:")
                    .render() + response.getToken() + "\n";
        });
        return 0;
    }

    /** {@code admin-token list}. */
    @Command(name = "list", description = "List admin tokens by name and role (never the tokens themselves).")
    int list() throws CliException {
        ListAdminTokensResponse response = cli.client().call().listAdminTokens(ListAdminTokensRequest.getDefaultInstance());
        cli.output().print(response, () -> {
            Table table = Table.columns("NAME", "ROLE", "CREATED");
            for (AdminToken t : response.getTokensList()) {
                table.row(t.getName(), Formats.name(t.getRole()), Formats.time(t.getCreated()));
            }
            return table.render();
        });
        return 0;
    }

    /** {@code admin-token revoke NAME}. */
    @Command(name = "revoke", description = "Revoke an admin token; calls with it fail from now on.")
    int revoke(@Parameters(paramLabel = "NAME", description = "The token's name.") String name) throws CliException {
        RevokeAdminTokenResponse response =
                cli.client().call().revokeAdminToken(RevokeAdminTokenRequest.newBuilder().setName(name).build());
        cli.output().print(response, () -> "Revoked admin token " + name + ".\n");
        return 0;
    }
}
