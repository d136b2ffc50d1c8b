package org.mailcert.agent.cli;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.agent.testing.AgentCli.assertOneLineError;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.agent.testing.AgentCli;
import org.mailcert.agent.testing.AgentCli.Run;
import org.mailcert.agent.testing.AgentPki;
import org.mailcert.agent.testing.TestStatus;
import org.mailcert.common.net.ControllerAddress;

/** The command line: exit codes, one-line errors, usage checks and status output. */
class AgentMainTest {
    @TempDir
    Path tmp;

    @Test
    void helpAndVersionExitZero() {
        Run help = AgentCli.run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("enroll") && help.out().contains("run") && help.out().contains("status"));
        Run version = AgentCli.run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("mailcert-agent "), version.out());
        assertEquals(0, AgentCli.run("run", "--help").code());
    }

    @Test
    void noCommandIsBadUsage() {
        assertOneLineError(AgentCli.run(), 2, "missing command");
    }

    @Test
    void targetsThatCannotRunHereAndBadTargetSettingsAreUsageErrors() {
        assertOneLineError(AgentCli.run("run", "--target", "iis"), 2, "the iis target runs only on Windows");
        assertOneLineError(AgentCli.run("run", "--target", "postfix,iis,mailenable"), 2, "the mailenable target runs only on"
                + " Windows");
        assertOneLineError(AgentCli.run("run", "--target", "nginx"), 2,
                "--target nginx needs either --webmail-upstream URL or --webmail-root DIR");
        assertOneLineError(AgentCli.run("run", "--target", "nginx", "--webmail-upstream", "http://127.0.0.1:8080/;x"), 2,
                "webmail upstream");
        assertOneLineError(AgentCli.run("run", "--target", "nginx", "--webmail-root", "/srv/web mail"), 2,
                "must be an absolute path without spaces");
        assertOneLineError(AgentCli.run("run", "--target", "mailenable"), 2, "the mailenable target runs only on Windows");
        assertOneLineError(AgentCli.run("run", "--target", "qmail", "--qmail-sni", "maybe"), 2,
                "--qmail-sni must be detect, on or off, not 'maybe'");
        assertOneLineError(AgentCli.run("run", "--target", "courier", "--probe-deadline", "0s"), 2,
                "--probe-deadline must be positive");
        assertOneLineError(AgentCli.run("run", "--target", "exchange"), 2, "unknown target 'exchange'");
        assertOneLineError(AgentCli.run("run"), 2, "no target to install certificates into");
        assertOneLineError(AgentCli.run("run", "--target", "files"), 2, "--target files needs --files-dir DIR");
    }

    @Test
    void badOptionValuesAreBadUsage() {
        String files = tmp.resolve("f").toString();
        assertOneLineError(AgentCli.run("run", "--files-dir", files, "--probe-port", "smtp=99999"), 2, "not a port");
        assertOneLineError(AgentCli.run("run", "--files-dir", files, "--probe-port", "gopher=70"), 2, "unknown service");
        assertOneLineError(AgentCli.run("run", "--files-dir", files, "--mode", "fix"), 2, "--mode must be");
        assertOneLineError(AgentCli.run("run", "--files-dir", files, "--start-delay", "soon"), 2, "is not a duration");
        assertOneLineError(AgentCli.run("run", "--files-dir", files, "--files-command", "reload 'unbalanced"), 2,
                "--files-command");
    }

    @Test
    void theConfigFileSetsRunOptions() throws Exception {
        Path config = tmp.resolve("agent.yaml");
        Files.writeString(config, "target: [iis]\n");
        assertOneLineError(AgentCli.run("run", "--config", config.toString()), 2, "the iis target runs only on Windows");

        Files.writeString(config, "files-dir: " + tmp.resolve("f") + "\ndata-dir: " + tmp.resolve("nodata") + "\n");
        assertOneLineError(AgentCli.run("run", "--config", config.toString()), 1, "no identity in " + tmp.resolve("nodata"));

        Files.writeString(config, "files-dri: /x\n");
        assertOneLineError(AgentCli.run("run", "--config", config.toString()), 2, "unknown setting 'files-dri'");
    }

    @Test
    void runWithAnExpiredIdentitySaysWhatToDo() throws Exception {
        Path data = tmp.resolve("agent");
        AgentPki.create().enroll(data, "mx1.example.com", ControllerAddress.parse("localhost:7443"),
                Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-08T00:00:00Z"));

        Run run = AgentCli.run("run", "--data-dir", data.toString(), "--files-dir", tmp.resolve("f").toString());

        assertEquals(1, run.code());
        assertEquals("mailcert-agent: identity expired on 2024-01-08T00:00:00Z; create a new token with `mailcert"
                + " token create --host mx1.example.com` and run `mailcert-agent enroll` again", run.err().strip());
    }

    @Test
    void aBadTokenIsBadUsageAndItsSecretIsNotEchoed() {
        Run run = AgentCli.run("enroll", "--controller", "localhost:7443", "--token", "mc1.tokid.VERYSECRETVALUE.short",
                "--data-dir", tmp.toString());
        assertOneLineError(run, 2, "CA pin");
        assertFalse(run.err().contains("VERYSECRETVALUE"), run.err());
        assertOneLineError(AgentCli.run("enroll", "--token", pkiToken()), 2, "Missing required option: '--controller");
    }

    @Test
    void theTokenCanComeFromAFileInsteadOfTheCommandLine() throws Exception {
        String dir = tmp.toString();
        assertOneLineError(AgentCli.run("enroll", "--controller", "localhost:7443", "--data-dir", dir), 2,
                "a join token is needed: --token TOKEN, --token-file FILE or MAILCERT_JOIN_TOKEN");
        Path file = tmp.resolve("token");
        java.nio.file.Files.writeString(file, "mc1.tokid.VERYSECRETVALUE.short\n");
        Run bad = AgentCli.run("enroll", "--controller", "localhost:7443", "--token-file", file.toString(), "--data-dir", dir);
        assertOneLineError(bad, 2, "CA pin");
        assertFalse(bad.err().contains("VERYSECRETVALUE"), bad.err());
        assertOneLineError(AgentCli.run("enroll", "--controller", "localhost:7443", "--token", pkiToken(), "--token-file",
                file.toString(), "--data-dir", dir), 2, "not both");
        assertOneLineError(AgentCli.run("enroll", "--controller", "localhost:7443", "--token-file",
                tmp.resolve("missing").toString(), "--data-dir", dir), 2, "is not a readable file");
    }

    private static String pkiToken() {
        return AgentPki.create().token().encode();
    }

    @Test
    void statusPrintsATableForPeople() throws Exception {
        Path data = tmp.resolve("agent");
        AgentPki.create().enroll(data, "mx1.example.com", ControllerAddress.parse("controller.example.net:7443"));
        new StatusStore(data).save(TestStatus.sample());

        Run run = AgentCli.run("status", "--data-dir", data.toString());

        assertEquals(0, run.code(), run.err());
        String out = run.out();
        assertTrue(out.contains("host             mx1.example.com\n"), out);
        assertTrue(out.contains("controller       controller.example.net:7443\n"), out);
        assertTrue(out.contains("connection       connected since 2030-01-02T03:04:05Z\n"), out);
        assertTrue(out.contains("applied version  11\n"), out);
        assertTrue(out.contains("desired version  12 (not applied)\n"), out);
        assertTrue(out.contains("last error       files: files command exited 1: reload failed\n"), out);
        assertTrue(out.contains("\nBINDING           SERVED NAME       CERTIFICATE              STATE    MESSAGE\n"), out);
        assertTrue(out.contains("server            mx1.example.com   mx1-cert v2              applied  -\n"), out);
        assertTrue(out.contains("mail/example.com  mail.example.com  wildcard-example-com v3  failed   files command"
                + " exited 1: reload failed\n"), out);
        assertTrue(out.contains("identity         valid until "), out);
    }

    @Test
    void statusPrintsJsonForScripts() throws Exception {
        Path data = tmp.resolve("agent");
        AgentPki.create().enroll(data, "mx1.example.com", ControllerAddress.parse("controller.example.net:7443"));
        new StatusStore(data).save(TestStatus.sample());

        Run run = AgentCli.run("status", "--data-dir", data.toString(), "--output", "json");

        assertEquals(0, run.code(), run.err());
        Struct.Builder parsed = Struct.newBuilder();
        JsonFormat.parser().merge(run.out(), parsed);
        var f = parsed.build().getFieldsMap();
        assertEquals("connected", f.get("connection").getStringValue());
        assertEquals(11, (int) f.get("applied_version").getNumberValue());
        assertEquals(12, (int) f.get("desired_version").getNumberValue());
        assertEquals("failed", f.get("bindings").getListValue().getValues(1).getStructValue().getFieldsMap()
                .get("state").getStringValue());
        assertFalse(f.get("identity_not_after").getStringValue().isEmpty());
    }

    @Test
    void statusBeforeTheFirstRunSaysSo() throws Exception {
        Path data = tmp.resolve("agent");
        AgentPki.create().enroll(data, "mx1.example.com", ControllerAddress.parse("controller.example.net:7443"));
        Run run = AgentCli.run("status", "--data-dir", data.toString());
        assertEquals(0, run.code());
        assertTrue(run.out().contains("not started"), run.out());
        assertOneLineError(AgentCli.run("status", "--data-dir", tmp.resolve("none").toString()), 1, "no identity in");
        assertOneLineError(AgentCli.run("status", "--data-dir", data.toString(), "--output", "xml"), 2,
                "not an output format");
    }
}
