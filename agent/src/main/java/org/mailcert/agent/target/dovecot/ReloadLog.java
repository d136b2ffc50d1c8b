package org.mailcert.agent.target.dovecot;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Dovecot's log file, read for what a reload said: {@code doveadm reload} exits 0 even when the
 * master then fails to read the new configuration, and only the log tells ("master: Error: Error
 * reading configuration: ..."; the old configuration stays in force). A log that is syslog or not a
 * readable file gives no answer, and the live probe remains the only check.
 */
final class ReloadLog {
    private static final String FAILED = "master: Error: Error reading configuration";
    private static final String HANDLED = "master: Warning: SIGHUP received - reloading configuration";
    private static final int MAX_READ = 1 << 20;

    private final Optional<Path> file;

    ReloadLog(String logPath) {
        this.file = logPath.startsWith("/") && !logPath.startsWith("/dev/") ? Optional.of(Path.of(logPath))
                : Optional.empty();
    }

    /** The log's current end, to read from after a reload. */
    long mark() {
        try {
            return file.isPresent() && Files.isRegularFile(file.get()) ? Files.size(file.get()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Waits until the master has logged since {@code mark} that it is handling a reload, at most
     * {@code timeout}; returns whether it did. Without a log file there is nothing to wait for (true).
     * A reload signalled before the master has picked up the previous one may be merged with it.
     */
    boolean awaitHandled(long mark, java.time.Duration timeout) throws InterruptedException {
        if (file.isEmpty()) {
            return true;
        }
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (find(mark, HANDLED).isPresent()) {
                return true;
            }
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    /** The reload failure logged since {@code mark}, if any. */
    Optional<String> failureSince(long mark) {
        return find(mark, FAILED);
    }

    private Optional<String> find(long mark, String what) {
        if (file.isEmpty() || !Files.isRegularFile(file.get())) {
            return Optional.empty();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.get().toFile(), "r")) {
            long start = f.length() < mark ? 0 : mark;
            int length = (int) Math.min(MAX_READ, f.length() - start);
            byte[] bytes = new byte[length];
            f.seek(start);
            f.readFully(bytes);
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\\R")) {
                int at = line.indexOf(what);
                if (at >= 0) {
                    return Optional.of(line.substring(at));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
