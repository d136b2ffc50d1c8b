package org.mailcert.agent.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.agent.testing.AgentCli.assertOneLineError;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.agent.testing.AgentCli;

/** {@code mailcert-agent service}: usage errors exit 2, and on this (non-Windows) machine it refuses to run. */
class ServiceCommandTest {
    @TempDir
    Path tmp;

    private String[] install(String... more) throws Exception {
        Path winsw = Files.writeString(tmp.resolve("WinSW-x64.exe"), "x");
        String[] base = {"service", "install", "--install-dir", tmp.resolve("p").toString(), "--data-dir",
            tmp.resolve("d").toString(), "--winsw", winsw.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void usageErrorsExitTwoAndNameTheSubcommandsHelp() throws Exception {
        assertTrue(AgentCli.run("--help").out().contains("service"));
        assertOneLineError(AgentCli.run("service"), 2, "missing command: install or uninstall");
        assertOneLineError(AgentCli.run("service", "install"), 2, "(see mailcert-agent service install --help)");
        assertOneLineError(AgentCli.run(install("--target", "iis,exchange")), 2, "--target exchange: the Windows service runs"
                + " mailenable or iis");
        assertOneLineError(AgentCli.run(install("--winsw-sha256", "abc")), 2, "--winsw-sha256: a SHA-256 is 64 hex digits");
    }

    @Test
    void elsewhereThanWindowsItRefusesAndChangesNothing() throws Exception {
        assertFalse(Platform.current().windows(), "the agent's tests run on Linux");
        assertOneLineError(AgentCli.run(install("--target", "mailenable")), 1, "mailcert-agent service install runs only on"
                + " Windows, not on " + Platform.current().osName());
        assertOneLineError(AgentCli.run(install("--target", "mailenable", "--check")), 1, "runs only on Windows");
        assertOneLineError(AgentCli.run("service", "uninstall", "--install-dir", tmp.toString(), "--data-dir", tmp.toString()), 1,
                "mailcert-agent service uninstall runs only on Windows");
        assertTrue(Files.notExists(tmp.resolve("d")) && Files.notExists(tmp.resolve("p")));
    }
}
