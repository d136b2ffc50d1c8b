package org.mailcert.agent.service;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.agent.exec.CommandResult;

/**
 * Whether the service {@code mailcert-agent} is registered with Windows and for which executable, from
 * {@code sc.exe qc mailcert-agent}.
 * UNVERIFIED (Microsoft's documentation and published transcripts, not run here): exit code 1060 for a
 * service that does not exist, and the {@code BINARY_PATH_NAME : "..."} line.
 */
final class ServiceRegistration {
    /** {@code sc.exe}'s exit code (and Win32 error) for a service that is not installed. */
    static final int DOES_NOT_EXIST = 1060;
    private static final Pattern BINARY = Pattern.compile("^\\s*BINARY_PATH_NAME\\s*:\\s*(.*?)\\s*$", Pattern.MULTILINE);

    private final Programs programs;

    ServiceRegistration(Programs programs) {
        this.programs = Objects.requireNonNull(programs, "programs");
    }

    /** The registered executable (without quotes); empty if the service does not exist. */
    Optional<String> executable() throws ServiceException, InterruptedException {
        List<String> query = List.of("sc.exe", "qc", WinswConfig.SERVICE_ID);
        CommandResult r = programs.tryRun("query the service " + WinswConfig.SERVICE_ID, Programs.SHORT, query);
        if (r.exitCode() == DOES_NOT_EXIST && !r.timedOut()) {
            return Optional.empty();
        }
        if (!r.succeeded()) {
            throw new ServiceException("cannot query the service " + WinswConfig.SERVICE_ID + ": sc.exe " + r.describe());
        }
        Matcher m = BINARY.matcher(r.stdout());
        if (!m.find()) {
            throw new ServiceException("sc.exe qc " + WinswConfig.SERVICE_ID + " printed no BINARY_PATH_NAME");
        }
        String path = m.group(1);
        return Optional.of(path.length() >= 2 && path.startsWith("\"") && path.endsWith("\"")
                ? path.substring(1, path.length() - 1) : path);
    }

    /** Whether two Windows paths name the same file (Windows compares names without regard to case). */
    static boolean samePath(String a, String b) {
        return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }
}
