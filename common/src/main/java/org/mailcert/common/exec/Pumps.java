package org.mailcert.common.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.commons.exec.ExecuteStreamHandler;

/**
 * The stream handler of every command mailcert runs through Commons Exec: reads the process's
 * stdout and stderr on two daemon threads and, once the process has ended, waits at most {@code
 * wait} for them: a child the command left running in the background may hold the pipes open
 * indefinitely, and the exit code must not wait for it. The command's input, if any, is written to
 * stdin on a third thread (a program that does not read it cannot block the caller), which then
 * closes it; without input, stdin is closed at once. Never fails: what was read is kept.
 */
public final class Pumps implements ExecuteStreamHandler {
    private final String input;
    private final OutputStream out;
    private final OutputStream err;
    private final Duration wait;
    private final String threadPrefix;
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param input written to stdin as US-ASCII; empty for none
     * @param out where stdout goes ({@link OutputStream#nullOutputStream()} to drop it)
     * @param err where stderr goes
     * @param wait how long output is still read after the process ended
     * @param threadPrefix the pump threads' name prefix
     */
    public Pumps(String input, OutputStream out, OutputStream err, Duration wait, String threadPrefix) {
        this.input = Objects.requireNonNull(input, "input");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.wait = Objects.requireNonNull(wait, "wait");
        this.threadPrefix = Objects.requireNonNull(threadPrefix, "threadPrefix");
    }

    @Override
    public void setProcessInputStream(OutputStream stdin) throws IOException {
        if (input.isEmpty()) {
            stdin.close();
            return;
        }
        Thread t = new Thread(() -> {
            try (stdin) {
                stdin.write(input.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the program exited without reading all of it: its exit code tells
            }
        }, threadPrefix + "-stdin");
        t.setDaemon(true);
        threads.add(t);
    }

    @Override
    public void setProcessOutputStream(InputStream stdout) {
        threads.add(pump(stdout, out, threadPrefix + "-stdout"));
    }

    @Override
    public void setProcessErrorStream(InputStream stderr) {
        threads.add(pump(stderr, err, threadPrefix + "-stderr"));
    }

    @Override
    public void start() {
        threads.forEach(Thread::start);
    }

    @Override
    public void stop() {
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Thread pump(InputStream in, OutputStream sink, String name) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    sink.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // the stream was closed under us: keep what was read
            }
        }, name);
        t.setDaemon(true);
        return t;
    }
}
