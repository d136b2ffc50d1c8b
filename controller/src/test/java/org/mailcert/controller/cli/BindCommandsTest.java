package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.BindResponse;
import org.mailcert.proto.v1.ListBindingsRequest;
import org.mailcert.proto.v1.ListBindingsResponse;
import org.mailcert.proto.v1.Scope;
import org.mailcert.proto.v1.UnbindRequest;
import org.mailcert.proto.v1.UnbindResponse;

class BindCommandsTest extends CommandTestBase {

    @Test
    void bindServerSendsNoDomain() {
        cli.service.reply("Bind", BindResponse.newBuilder().setBinding(Fixtures.serverBinding()).build());
        ok("bind", "mx1.example.net", "server", "mx1-self");
        assertEquals(BindRequest.newBuilder().setHost("mx1.example.net").setScope(Scope.SCOPE_SERVER)
                .setCertificate("mx1-self").build(), cli.service.onlyRequest(BindRequest.class));
    }

    @Test
    void bindMailSendsTheDomain() {
        cli.service.reply("Bind", BindResponse.newBuilder().setBinding(Fixtures.mailBinding()).setReplaced(true).build());
        CliHarness.Result r = ok("bind", "mx1.example.net", "mail", "example.com", "wildcard-example-com");
        assertEquals(BindRequest.newBuilder().setHost("mx1.example.net").setScope(Scope.SCOPE_MAIL)
                .setDomain("example.com").setCertificate("wildcard-example-com").build(),
                cli.service.onlyRequest(BindRequest.class));
        Golden.assertMatches("cli", "bind-mail.txt", r.out());
        assertEquals("", r.err());
    }

    @Test
    void bindWebmailPrintsWarningsInTheTableAndOnStderr() {
        BindResponse response = BindResponse.newBuilder().setBinding(Fixtures.webmailBinding()).build();
        cli.service.reply("Bind", response);
        CliHarness.Result r = ok("bind", "mx1.example.net", "WEBMAIL", "example.org", "wildcard-example-org");
        assertEquals(Scope.SCOPE_WEBMAIL, cli.service.onlyRequest(BindRequest.class).getScope());
        Golden.assertMatches("cli", "bind-webmail.txt", r.out());
        assertEquals("warning: server-wide certificate of mx1.example.net is self-signed; the per-domain certificate"
                + " will not help\nwarning: certificate expires in 12 days\n", r.err());
    }

    @Test
    void bindJson() {
        BindResponse response = BindResponse.newBuilder().setBinding(Fixtures.webmailBinding()).build();
        cli.service.reply("Bind", response);
        CliHarness.Result r = ok("bind", "mx1.example.net", "webmail", "example.org", "wildcard-example-org", "-o", "json");
        Golden.assertMatches("cli", "bind-webmail.json", r.out());
        assertJsonIs(response, r.out());
        assertEquals(2, r.errLines().size());
    }

    @Test
    void bindWithAnUnknownScopeIsAUsageError() {
        CliHarness.Result r = cli.run("bind", "mx1.example.net", "smtp", "example.com", "wildcard-example-com");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("unknown scope 'smtp'; use server, mail or webmail\n"), r.err());
        assertTrue(r.err().contains("Usage: mailcert bind HOST server CERT"), "usage follows: " + r.err());
        assertTrue(cli.service.calls().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "mx1.example.net server example.com wildcard-example-com",
        "mx1.example.net mail wildcard-example-com",
        "mx1.example.net webmail example.org",
        "mx1.example.net server",
        "mx1.example.net",
    })
    void bindWithTheWrongNumberOfArgumentsIsAUsageError(String args) {
        String[] words = ("bind " + args).split(" ");
        CliHarness.Result r = cli.run(words);
        assertEquals(2, r.exit(), r.err());
        assertTrue(cli.service.calls().isEmpty());
    }

    @Test
    void arityErrorSaysWhatWasExpected() {
        CliHarness.Result r = cli.run("bind", "mx1.example.net", "mail", "wildcard-example-com");
        assertTrue(r.err().startsWith("expected bind HOST mail DOMAIN CERT but got 3 arguments\n"), r.err());
    }

    @Test
    void unbindServer() {
        cli.service.reply("Unbind", UnbindResponse.newBuilder().setRemoved(Fixtures.serverBinding()).build());
        CliHarness.Result r = ok("unbind", "mx1.example.net", "server");
        assertEquals(UnbindRequest.newBuilder().setHost("mx1.example.net").setScope(Scope.SCOPE_SERVER).build(),
                cli.service.onlyRequest(UnbindRequest.class));
        Golden.assertMatches("cli", "unbind-server.txt", r.out());
    }

    @Test
    void unbindMailSendsTheDomain() {
        cli.service.reply("Unbind", UnbindResponse.newBuilder().setRemoved(Fixtures.mailBinding()).build());
        ok("unbind", "mx1.example.net", "mail", "example.com");
        assertEquals(UnbindRequest.newBuilder().setHost("mx1.example.net").setScope(Scope.SCOPE_MAIL)
                .setDomain("example.com").build(), cli.service.onlyRequest(UnbindRequest.class));
    }

    @Test
    void unbindWithTheWrongArgumentsIsAUsageError() {
        assertEquals(2, cli.run("unbind", "mx1.example.net", "mail").exit());
        assertEquals(2, cli.run("unbind", "mx1.example.net", "server", "example.com").exit());
        assertEquals(2, cli.run("unbind", "mx1.example.net", "imap", "example.com").exit());
        assertTrue(cli.service.calls().isEmpty());
    }

    static final ListBindingsResponse BINDINGS = ListBindingsResponse.newBuilder()
            .addBindings(Fixtures.serverBinding())
            .addBindings(Fixtures.mailBinding())
            .addBindings(Fixtures.webmailBinding())
            .build();

    @Test
    void bindingListTable() {
        cli.service.reply("ListBindings", BINDINGS);
        Golden.assertMatches("cli", "binding-list.txt", ok("binding", "list").out());
        assertEquals(ListBindingsRequest.getDefaultInstance(), cli.service.onlyRequest(ListBindingsRequest.class));
    }

    @Test
    void bindingListForOneHost() {
        cli.service.reply("ListBindings", BINDINGS);
        ok("binding", "list", "--host", "mx1.example.net");
        assertEquals("mx1.example.net", cli.service.onlyRequest(ListBindingsRequest.class).getHost());
    }

    @Test
    void bindingListJson() {
        cli.service.reply("ListBindings", BINDINGS);
        String out = ok("binding", "list", "-o", "json").out();
        Golden.assertMatches("cli", "binding-list.json", out);
        assertJsonIs(BINDINGS, out);
    }
}
