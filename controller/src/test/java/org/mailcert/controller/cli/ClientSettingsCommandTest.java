package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import org.mailcert.common.testing.Golden;

import org.junit.jupiter.api.Test;
import org.mailcert.proto.v1.ClientSettings;
import org.mailcert.proto.v1.GetClientSettingsRequest;
import org.mailcert.proto.v1.HostClientSettings;

class ClientSettingsCommandTest extends CommandTestBase {
    static final ClientSettings SETTINGS = ClientSettings.newBuilder()
            .setDomain("example.com")
            .addHosts(HostClientSettings.newBuilder()
                    .setHost("mx1.example.net")
                    .setImap("mail.example.com")
                    .setPop3("mail.example.com")
                    .setSmtp("mail.example.com")
                    .setWebmailUrl("https://webmail.example.com/")
                    .addReasons("mx1.example.net serves wildcard-example-com for mail.example.com, trusted until 2026-12-31")
                    .addReasons("webmail.example.com is covered by *.example.com"))
            .addHosts(HostClientSettings.newBuilder()
                    .setHost("mx3.example.net")
                    .setImap("mx3.example.net")
                    .setPop3("mx3.example.net")
                    .setSmtp("mx3.example.net")
                    .addReasons("qmail on mx3.example.net cannot serve per-domain certificates; use the host name")
                    .addWarnings("no webmail binding for example.com on mx3.example.net"))
            .build();

    @Test
    void asksForTheDomainAndPrintsPerHostNamesReasonsAndWarnings() {
        cli.service.reply("GetClientSettings", SETTINGS);
        CliHarness.Result r = ok("client-settings", "example.com");
        assertEquals("example.com", cli.service.onlyRequest(GetClientSettingsRequest.class).getDomain());
        Golden.assertMatches("cli", "client-settings.txt", r.out());
        assertEquals("warning: mx3.example.net: no webmail binding for example.com on mx3.example.net\n", r.err());
    }

    @Test
    void json() {
        cli.service.reply("GetClientSettings", SETTINGS);
        String out = ok("client-settings", "example.com", "-o", "json").out();
        Golden.assertMatches("cli", "client-settings.json", out);
        assertJsonIs(SETTINGS, out);
    }

    @Test
    void noHost() {
        cli.service.reply("GetClientSettings", ClientSettings.newBuilder().setDomain("example.io").build());
        assertEquals("No host serves example.io.\n", ok("client-settings", "example.io").out());
    }
}
