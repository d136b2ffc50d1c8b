package org.mailcert.agent.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.cli.AgentMain;

/**
 * install-agent.ps1 and mailcert-agent.cmd agree with the Java side: the pinned WinSW, the names, and every
 * {@code --option} the script passes is one that {@code service install} (or {@code uninstall}) has. No
 * PowerShell runs here; this is what makes the script fail a test when the two drift apart.
 */
class InstallScriptTest {
    private static final Path WINDOWS = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .resolve("../installers/windows").normalize();
    private static final Pattern OPTION = Pattern.compile("'(--[a-z0-9-]+)'");

    private static String script() throws Exception {
        return Files.readString(WINDOWS.resolve("install-agent.ps1"));
    }

    private static String constant(String script, String name) {
        Matcher m = Pattern.compile("(?m)^\\$" + name + " = '([^']*)'$").matcher(script);
        assertTrue(m.find(), "$" + name + " in install-agent.ps1");
        return m.group(1);
    }

    @Test
    void theScriptPinsTheSameWinswAndNames() throws Exception {
        String script = script();
        assertEquals(WinswBuild.PINNED.url().toString(), constant(script, "WinswUrl"));
        assertEquals(WinswBuild.PINNED.sha256(), constant(script, "WinswSha256"));
        assertEquals(WinswConfig.SERVICE_ID, constant(script, "ServiceName"));
        assertEquals(WinswConfig.JAR, constant(script, "Jar"));
        assertEquals(AgentMain.class.getName(), constant(script, "MainClass"));
        assertEquals("MAILCERT_JOIN_TOKEN", constant(script, "TokenVariable"));
        assertTrue(script.matches("(?s)\\A#Requires -Version 5\\.1\\R#Requires -RunAsAdministrator\\R.*"), "admin only");
        assertTrue(script.chars().allMatch(c -> c < 128), "ASCII only: PowerShell 5.1 reads a file without BOM as ANSI");
    }

    @Test
    void everyOptionTheScriptPassesExists() throws Exception {
        String script = script();
        int uninstallStart = script.indexOf("function Invoke-Uninstall");
        int uninstallEnd = script.indexOf("\nfunction ", uninstallStart + 1);
        String uninstall = script.substring(uninstallStart, uninstallEnd);
        String install = script.substring(0, uninstallStart) + script.substring(uninstallEnd);

        Set<String> installOptions = options("install");
        Set<String> uninstallOptions = options("uninstall");
        Set<String> passed = passed(install);
        assertTrue(passed.containsAll(Set.of("--install-dir", "--data-dir", "--winsw", "--java", "--controller",
                "--token-file", "--target", "--force", "--allow-downgrade", "--check")), passed.toString());
        assertTrue(installOptions.containsAll(passed), "not options of service install: " + minus(passed, installOptions));
        Set<String> passedToUninstall = passed(uninstall);
        assertEquals(Set.of("--install-dir", "--data-dir", "--purge"), passedToUninstall);
        assertTrue(uninstallOptions.containsAll(passedToUninstall));
        assertFalse(installOptions.contains("--token"), "the token is never on the command line");
        assertFalse(script.contains("'--token'"));
    }

    @Test
    void theLauncherRunsTheSameMainClassFromItsOwnDirectory() throws Exception {
        String cmd = Files.readString(WINDOWS.resolve("mailcert-agent.cmd"));
        assertTrue(cmd.contains("-cp \"%~dp0" + WinswConfig.JAR + "\" " + AgentMain.class.getName() + " %*"), cmd);
        assertTrue(cmd.contains("\r\n") && !cmd.replace("\r\n", "").contains("\n"), "CRLF line ends for cmd.exe");
    }

    private static Set<String> passed(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = OPTION.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The long options {@code mailcert-agent service COMMAND --help} lists. */
    private static Set<String> options(String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = AgentMain.run(new String[] {"service", command, "--help"}, new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()), Map.of());
        assertEquals(0, code);
        Set<String> options = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+(?:-\\w, )?(--[a-z0-9-]+)").matcher(out.toString(StandardCharsets.UTF_8));
        while (m.find()) {
            options.add(m.group(1));
        }
        assertTrue(options.contains("--data-dir"), options.toString());
        return options;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}
