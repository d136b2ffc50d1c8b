package org.mailcert.agent.target.nginx;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's worker processes as {@code /proc} shows them. On {@code nginx -s reload} the master starts new
 * workers and only about 100 ms later tells the old ones to stop; until then an old worker may still take a
 * new connection and serve the old certificate. An old worker that got the signal retitles itself
 * {@code nginx: worker process is shutting down} as it closes its listeners, so the target notes the
 * accepting workers before a reload and waits for those to retire before it proves what is served.
 * Linux only; where {@code /proc} or the pid file cannot be read, there is nothing to wait for.
 */
final class NginxWorkers {
    /** nginx's compiled-in pid file on Debian, when the configuration names none. */
    static final Path DEFAULT_PID_FILE = Path.of("/run/nginx.pid");
    private static final String WORKER = "nginx: worker process";
    private static final Pattern PID_DIRECTIVE = Pattern.compile("(?m)^\\s*pid\\s+([^;\\s]+)\\s*;");
    private static final Duration POLL = Duration.ofMillis(20);

    private final Path proc;

    /** @param proc the proc file system ({@code /proc}; a test hands in a tree of its own) */
    NginxWorkers(Path proc) {
        this.proc = proc;
    }

    /** The pid file the {@code nginx -T} dump names, or nginx's default. */
    static Path pidFile(String dump) {
        Matcher m = PID_DIRECTIVE.matcher(dump);
        return m.find() ? Path.of(m.group(1)) : DEFAULT_PID_FILE;
    }

    /** The master's pid from {@code pidFile}, if it can be read. */
    static Optional<Long> master(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile, UTF_8).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The children of {@code master} that are workers still accepting connections. */
    Set<Long> accepting(long master) {
        Set<Long> out = new LinkedHashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path p : entries) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (parent(pid) == master && title(pid).equals(WORKER)) {
                    out.add(pid);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Set.of();
        }
        return out;
    }

    /**
     * Waits until none of {@code old} is still an accepting worker of {@code master}, at most {@code deadline}.
     *
     * @return whether they all retired in time
     */
    boolean awaitRetired(long master, Set<Long> old, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            Set<Long> still = accepting(master);
            still.retainAll(old);
            if (still.isEmpty()) {
                return true;
            }
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The parent pid from {@code /proc/PID/stat} (the field after the name in parentheses), or -1. */
    private long parent(long pid) {
        try {
            String stat = Files.readString(proc.resolve(pid + "/stat"), UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[1]);
        } catch (IOException | RuntimeException e) {
            return -1; // gone meanwhile, or not a process
        }
    }

    /** The process title nginx set, from {@code /proc/PID/cmdline} (NULs and padding as spaces, trimmed). */
    private String title(long pid) {
        try {
            return new String(Files.readAllBytes(proc.resolve(pid + "/cmdline")), UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }
}
