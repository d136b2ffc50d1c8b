package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.testing.Golden;
import org.mailcert.proto.v1.ListHostsResponse;

/** Global behaviour: help, version, usage errors, where settings come from, how failures read. */
class MailcertCliTest {
    @TempDir
    Path dir;

    CliHarness cli;

    @BeforeEach
    void start() throws Exception {
        cli = new CliHarness(dir);
        cli.service.reply("ListHosts", ListHostsResponse.newBuilder().addHosts(Fixtures.mx1()).build());
    }

    @AfterEach
    void stop() throws Exception {
        cli.close();
    }

    @Test
    void helpListsCommandsAndExitsZero() {
        CliHarness.Result r = cli.run("--help");
        assertEquals(0, r.exit());
        Golden.assertMatches("cli", "help.txt", r.out());
        assertTrue(cli.opened.isEmpty(), "help must not connect");
    }

    @Test
    void helpWorksAfterASubcommand() {
        CliHarness.Result r = cli.run("bind", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("mailcert bind HOST mail DOMAIN CERT"), r.out());
    }

    @Test
    void versionFallsBackToDevOutsideTheJar() {
        CliHarness.Result r = cli.run("--version");
        assertEquals(0, r.exit());
        assertEquals("mailcert dev\n", r.out());
    }

    @Test
    void noCommandIsAUsageError() {
        CliHarness.Result r = cli.run();
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Missing required command"), r.err());
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliHarness.Result r = cli.run("hosts", "list");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Unmatched argument"), r.err());
    }

    @Test
    void groupWithoutSubcommandIsAUsageError() {
        assertEquals(2, cli.run("cert").exit());
    }

    @Test
    void unknownOutputFormatIsAUsageError() {
        CliHarness.Result r = cli.run("host", "list", "--output", "yaml");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'yaml' is not an output format; use table or json"), r.err());
    }

    @Test
    void badControllerFlagIsAUsageError() {
        CliHarness.Result r = cli.run("--controller", "ctl:http", "host", "list");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("expected a number from 1 to 65535"), r.err());
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand() {
        CliHarness.Result before = cli.run("--output", "json", "--controller", "ctl.example.net:8443", "host", "list");
        CliHarness.Result after = cli.run("host", "list", "--output", "json", "--controller", "ctl.example.net:8443");
        assertEquals(0, before.exit());
        assertEquals(before.out(), after.out());
        assertTrue(before.out().startsWith("{"), before.out());
        assertEquals(List.of(new ControllerAddress("ctl.example.net", 8443), new ControllerAddress("ctl.example.net", 8443)),
                cli.opened.stream().map(CliHarness.Opened::address).toList());
    }

    @Test
    void defaultsAreLocalhostAndTheJdkTrust() {
        assertEquals(0, cli.run("host", "list").exit());
        assertEquals(new CliHarness.Opened(ControllerAddress.DEFAULT, Optional.empty()), cli.opened.get(0));
    }

    @Test
    void sendsTheBearerTokenAndA30SecondDeadline() {
        assertEquals(0, cli.run("host", "list").exit());
        assertEquals(List.of("Bearer " + CliHarness.TOKEN), cli.authorizations);
        FakeAdminService.Call call = cli.service.onlyCall();
        assertNotNull(call.deadline(), "unary calls carry a deadline");
        long left = call.deadline().timeRemaining(TimeUnit.SECONDS);
        assertTrue(left > 20 && left <= 30, "deadline in " + left + " s");
    }

    @Test
    void acceptsAnIpv6LiteralInBrackets() {
        assertEquals(0, cli.run("--controller", "[::1]:7443", "host", "list").exit());
        assertEquals(new ControllerAddress("::1", 7443), cli.opened.get(0).address());
    }

    @Test
    void environmentSetsControllerCaAndTokenFile() throws Exception {
        Path token = Files.writeString(dir.resolve("ops.token"), "mcat_from-file\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        cli.env.remove(ConnectionSettings.ENV_TOKEN);
        cli.env.put(ConnectionSettings.ENV_CONTROLLER, "ctl.example.net:9443");
        cli.env.put(ConnectionSettings.ENV_CA, ca.toString());
        cli.env.put(ConnectionSettings.ENV_TOKEN_FILE, token.toString());

        assertEquals(0, cli.run("host", "list").exit());

        assertEquals(new CliHarness.Opened(new ControllerAddress("ctl.example.net", 9443), Optional.of(ca)), cli.opened.get(0));
        assertEquals(List.of("Bearer mcat_from-file"), cli.authorizations);
    }

    @Test
    void inlineTokenFromEnvironmentWinsOverTokenFileFromEnvironment() throws Exception {
        Path token = Files.writeString(dir.resolve("ops.token"), "mcat_from-file\n");
        cli.env.put(ConnectionSettings.ENV_TOKEN_FILE, token.toString());

        assertEquals(0, cli.run("host", "list").exit());

        assertEquals(List.of("Bearer " + CliHarness.TOKEN), cli.authorizations);
    }

    @Test
    void flagsWinOverEnvironment() throws Exception {
        Path token = Files.writeString(dir.resolve("flag.token"), "mcat_from-flag");
        Path ca = Files.writeString(dir.resolve("flag-ca.pem"), "x");
        cli.env.put(ConnectionSettings.ENV_CONTROLLER, "env.example.net:1");
        cli.env.put(ConnectionSettings.ENV_CA, "missing-ca.pem");

        assertEquals(0, cli.run("host", "list", "--controller", "flag.example.net", "--token-file", token.toString(),
                "--ca-file", ca.toString()).exit());

        assertEquals(new CliHarness.Opened(new ControllerAddress("flag.example.net", 7443), Optional.of(ca)), cli.opened.get(0));
        assertEquals(List.of("Bearer mcat_from-flag"), cli.authorizations);
    }

    @Test
    void findsTokenAndCaOfALocalControllerInVarController() throws Exception {
        Path data = Files.createDirectories(dir.resolve("var/controller"));
        Files.writeString(data.resolve("admin.token"), "mcat_local-admin\n");
        Files.writeString(data.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        cli.env.clear();

        assertEquals(0, cli.run("host", "list").exit());

        assertEquals(Optional.of(dir.resolve("var/controller/ca.pem")), cli.opened.get(0).caFile());
        assertEquals(List.of("Bearer mcat_local-admin"), cli.authorizations);
    }

    @Test
    void relativeTokenFileResolvesAgainstTheWorkingDirectory() throws Exception {
        Files.writeString(dir.resolve("rel.token"), "mcat_relative");
        assertEquals(0, cli.run("host", "list", "--token-file", "rel.token").exit());
        assertEquals(List.of("Bearer mcat_relative"), cli.authorizations);
    }

    @Test
    void withoutAnyTokenItSaysWhereToPutOneAndDoesNotConnect() {
        cli.env.clear();
        CliHarness.Result r = cli.run("host", "list");
        assertEquals(1, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("mailcert: no admin token: pass --token-file FILE or set MAILCERT_TOKEN_FILE or MAILCERT_TOKEN"), r.err());
        assertTrue(cli.opened.isEmpty());
    }

    @Test
    void missingTokenFileIsNamed() {
        CliHarness.Result r = cli.run("host", "list", "--token-file", "nope/admin.token");
        assertEquals(1, r.exit());
        assertEquals("mailcert: cannot read --token-file nope/admin.token: no such file; check the path\n", r.err());
    }

    @Test
    void emptyTokenFileIsAnError() throws Exception {
        Files.writeString(dir.resolve("empty.token"), "\n");
        CliHarness.Result r = cli.run("host", "list", "--token-file", "empty.token");
        assertEquals(1, r.exit());
        assertEquals("mailcert: --token-file empty.token is empty; give the file that holds an admin token\n", r.err());
    }

    @Test
    void missingCaFileIsNamed() {
        cli.env.put(ConnectionSettings.ENV_CA, "elsewhere/ca.pem");
        CliHarness.Result r = cli.run("host", "list");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("mailcert: cannot read the CA file elsewhere/ca.pem (from MAILCERT_CA): no such file"), r.err());
        assertTrue(cli.opened.isEmpty());
    }

    @Test
    void badControllerInEnvironmentNamesTheVariable() {
        cli.env.put(ConnectionSettings.ENV_CONTROLLER, "::1");
        CliHarness.Result r = cli.run("host", "list");
        assertEquals(1, r.exit());
        assertEquals("mailcert: MAILCERT_CONTROLLER is invalid: '::1' looks like an IPv6 address;"
                + " write it in brackets, e.g. [::1]:7443\n", r.err());
    }

    @Test
    void aChannelThatCannotBeBuiltIsOneLineNamingTheCaFile() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        cli.env.put(ConnectionSettings.ENV_CA, ca.toString());
        assertEquals("mailcert: cannot use the CA file " + ca + ": it holds no certificate; give the controller's"
                + " ca.pem with --ca-file or MAILCERT_CA\n", runWithFailingChannels("it holds no certificate"));
    }

    @Test
    void aChannelThatCannotBeBuiltWithoutCaFileNamesTheController() {
        assertEquals("mailcert: cannot set up TLS to the controller at localhost:7443: no TLS provider\n",
                runWithFailingChannels("no TLS provider"));
    }

    private String runWithFailingChannels(String reason) {
        ChannelFactory failing = (address, ca) -> {
            throw new java.io.IOException(reason);
        };
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int exit = MailcertCli.run(new String[] {"host", "list"}, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), cli.env, failing, dir);
        assertEquals(1, exit);
        return err.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aTokenWithSpacesIsRefusedBeforeConnecting() throws Exception {
        Files.writeString(dir.resolve("pasted.token"), "Bearer mcat_x\n");
        CliHarness.Result r = cli.run("host", "list", "--token-file", "pasted.token");
        assertEquals(1, r.exit());
        assertEquals("mailcert: the admin token from file pasted.token contains spaces or characters other than"
                + " printable ASCII; check that it holds just the token\n", r.err());
        assertTrue(cli.opened.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "NOT_FOUND        | host mx9.example.net is not known; declare it with mailcert token create --host mx9.example.net"
            + " | mailcert: host mx9.example.net is not known; declare it with mailcert token create --host mx9.example.net",
        "INVALID_ARGUMENT | certificate wildcard-example-com does not cover mail.example.org"
            + " | mailcert: certificate wildcard-example-com does not cover mail.example.org",
        "FAILED_PRECONDITION | certificate wildcard-example-com is bound on 2 hosts; unbind it first"
            + " | mailcert: certificate wildcard-example-com is bound on 2 hosts; unbind it first",
        "UNAVAILABLE      | shutting down"
            + " | mailcert: cannot reach the controller at localhost:7443 (shutting down); is mailcert-controller running?"
            + " set --controller or MAILCERT_CONTROLLER",
        "UNAUTHENTICATED  | unknown admin token"
            + " | mailcert: the controller at localhost:7443 did not accept the admin token from MAILCERT_TOKEN"
            + " (unknown admin token); use a valid admin token with --token-file FILE, MAILCERT_TOKEN_FILE or"
            + " MAILCERT_TOKEN (the first one is admin.token in the controller's data dir)",
        "PERMISSION_DENIED | role viewer may not create join tokens"
            + " | mailcert: role viewer may not create join tokens; the role of the admin token from MAILCERT_TOKEN"
            + " does not allow this, ask an admin for a token with a role that does (mailcert admin-token create NAME"
            + " --role operator)",
        "DEADLINE_EXCEEDED | deadline exceeded"
            + " | mailcert: the controller at localhost:7443 did not answer within 30 s; check that"
            + " mailcert-controller is healthy and try again",
        "INTERNAL         | storage failed: disk full"
            + " | mailcert: storage failed: disk full",
    })
    void statusBecomesOneLineOnStderr(Status.Code code, String description, String expected) {
        cli.service.failAll(Status.fromCode(code).withDescription(description));
        CliHarness.Result r = cli.run("host", "list");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals(expected + "\n", r.err());
    }

    @Test
    void multiLineServerMessagesStayOnOneLine() {
        cli.service.failAll(Status.INVALID_ARGUMENT.withDescription("bad chain:\n  leaf is not first\n"));
        CliHarness.Result r = cli.run("host", "list");
        assertEquals("mailcert: bad chain: leaf is not first\n", r.err());
    }

    @Test
    void statusWithoutDescriptionStillSaysSomething() {
        cli.service.failAll(Status.ABORTED);
        assertEquals("mailcert: the controller at localhost:7443 failed with ABORTED and no message\n", cli.run("host", "list").err());
    }
}
