package org.mailcert.agent.service;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.identity.AgentSettings;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.AgentStatus;
import org.mailcert.agent.state.AgentStatus.Connection;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.agent.target.windows.Platform;

/**
 * A Windows host simulated for installing the service: the service registry ({@code sc.exe qc}), the WinSW
 * wrapper ({@code install}, {@code uninstall}, {@code start}, {@code stopwait}, {@code status}; a started
 * service's agent writes a CONNECTED status file unless told otherwise), and each directory's ACL as
 * {@code icacls} changes it and saves it ({@code /save} writes the file name and the SDDL in UTF-16LE).
 * The sc.exe outputs are fixtures under {@code fixtures/windows-service/}; they and the {@code /save}
 * format follow Microsoft's documentation and published transcripts, not a recording (UNVERIFIED). Time
 * is a manual clock that only {@link #sleeper()} moves. Records every command for golden files.
 */
final class FakeServiceHost implements CommandRunner {
    /** What ProgramData passes down to a new directory: inherited entries, Users may read. */
    static final String INHERITED = "(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)";

    private final List<Command> commands = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    /** The registered executable, if the service exists. */
    Optional<String> registered = Optional.empty();
    boolean running;
    /** Whether a start leaves the service stopped (the JVM exits at once). */
    boolean neverStarts;
    /** What the started agent reports; empty writes no status at all. */
    Optional<Connection> reports = Optional.of(Connection.CONNECTED);
    /** Each directory's ACL, by path, made on first use as a new directory's. */
    private final Map<String, DirectoryAcl> acls = new TreeMap<>();
    /** Whether {@code icacls /remove:g} silently leaves the entry (to see the read-back catch it). */
    boolean removeDoesNothing;

    /** A directory's ACL as far as the installer cares. */
    static final class DirectoryAcl {
        /** Whether it is protected from inheritance. */
        boolean isProtected;
        /** Explicit entries besides SYSTEM's and Administrators': SDDL principal to SID. */
        final Map<String, String> explicitOthers = new LinkedHashMap<>();

        /** The DACL as SDDL. */
        String sddl() {
            StringBuilder out = new StringBuilder("D:").append(isProtected ? "PAI" : "AI");
            if (isProtected) {
                out.append("(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)");
            }
            explicitOthers.keySet().forEach(p -> out.append("(A;OICI;0x1301bf;;;").append(p).append(')'));
            return out.append(isProtected ? "" : INHERITED).toString();
        }
    }

    /** The ACL of {@code dir}. */
    synchronized DirectoryAcl acl(Path dir) {
        return acls.computeIfAbsent(dir.toString(), d -> new DirectoryAcl());
    }

    /** A platform that says Windows. */
    static Platform windows() {
        return new Platform() {
            @Override
            public boolean windows() {
                return true;
            }

            @Override
            public String osName() {
                return "Windows Server 2022";
            }

            @Override
            public Path writePrivate(Path dir, String prefix, byte[] content) {
                throw new UnsupportedOperationException("not used by the service steps");
            }
        };
    }

    Clock clock() {
        return clock;
    }

    Sleeper sleeper() {
        return clock::advance;
    }

    synchronized List<Command> commands() {
        return List.copyOf(commands);
    }

    synchronized void forgetCommands() {
        commands.clear();
    }

    @Override
    public synchronized CommandResult run(Command c) {
        commands.add(c);
        List<String> a = c.arguments();
        if (a.get(0).equals("sc.exe")) {
            return registered.map(p -> CommandResult.exited(0, fixture("sc-qc.txt").replace("@PATH@", p)))
                    .orElseGet(() -> CommandResult.exited(1060, fixture("sc-qc-missing.txt")));
        }
        if (a.get(0).equals("icacls")) {
            return icacls(a);
        }
        if (a.get(0).endsWith(WinswConfig.WRAPPER_EXE)) {
            return winsw(Path.of(a.get(0)), a.get(1));
        }
        return new CommandResult(9009, "", "'" + a.get(0) + "' is not recognized", false);
    }

    private CommandResult icacls(List<String> a) {
        DirectoryAcl acl = acl(Path.of(a.get(1)));
        if (a.contains("/inheritance:r")) {
            acl.isProtected = true;
        } else if (a.contains("/remove:g") && !removeDoesNothing) {
            String sid = a.get(a.indexOf("/remove:g") + 1).substring(1);
            acl.explicitOthers.values().removeIf(sid::equals);
        } else if (a.contains("/save")) {
            String text = Path.of(a.get(1)).getFileName() + "\r\n" + acl.sddl() + "\r\n";
            try {
                Files.write(Path.of(a.get(a.indexOf("/save") + 1)), text.getBytes(UTF_16LE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return CommandResult.exited(0, "processed file: " + a.get(1) + "\r\nSuccessfully processed 1 files; Failed"
                + " processing 0 files\r\n");
    }

    private CommandResult winsw(Path exe, String command) {
        if (!Files.exists(exe.resolveSibling(WinswConfig.WRAPPER_XML))) {
            return new CommandResult(-1, "", "The configuration file could not be loaded.", false);
        }
        switch (command) {
            case "install" -> {
                if (registered.isPresent()) {
                    return new CommandResult(1073, "", "Failed to install the service.", false);
                }
                registered = Optional.of(exe.toString());
            }
            case "uninstall" -> registered = Optional.empty();
            case "start" -> {
                if (registered.isEmpty()) {
                    return new CommandResult(1060, "", "The specified service does not exist as an installed service.",
                            false);
                }
                running = !neverStarts;
                if (running && reports.isPresent()) {
                    report(exe, reports.get());
                }
            }
            case "stopwait" -> running = false;
            case "status" -> {
                return CommandResult.exited(0, registered.isEmpty() ? "NonExistent\r\n" : running ? "Started\r\n"
                        : "Stopped\r\n");
            }
            default -> throw new IllegalArgumentException(command);
        }
        return CommandResult.exited(0, "");
    }

    /** Writes what the agent would: its status file, as the data dir in the wrapper's XML says. */
    private void report(Path exe, Connection connection) {
        try {
            String xml = Files.readString(exe.resolveSibling(WinswConfig.WRAPPER_XML), UTF_8);
            String dir = xml.substring(xml.indexOf("<workingdirectory>") + 18, xml.indexOf("</workingdirectory>"));
            Path dataDir = Path.of(dir.replace("&amp;", "&"));
            AgentSettings who = new IdentityStore(dataDir).loadSettings();
            new StatusStore(dataDir).save(new AgentStatus(who.host(), who.controller().toString(), connection,
                    clock.instant(), Optional.empty(), 0, 0, List.of(), clock.instant()));
        } catch (Exception e) {
            throw new IllegalStateException("the simulated agent cannot report: " + e.getMessage(), e);
        }
    }

    /** The commands as a golden file shows them: {@code root} as {@code <tmp>}, the saved ACL file as {@code <acl>}. */
    synchronized String transcript(Path root) {
        StringBuilder out = new StringBuilder();
        for (Command c : commands) {
            List<String> a = new ArrayList<>(c.arguments());
            int save = a.indexOf("/save");
            if (save >= 0) {
                a.set(save + 1, "<acl>");
            }
            out.append("$ ").append(String.join(" ", a).replace(root.toString(), "<tmp>")).append('\n');
        }
        return out.toString();
    }

    static String fixture(String name) {
        try (InputStream in = FakeServiceHost.class.getResourceAsStream("/fixtures/windows-service/" + name)) {
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clock that moves only when told. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        synchronized void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public synchronized Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
