package org.mailcert.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the benchmark programs share: their watchdog, and reading and tabulating their runs' results. */
public final class BenchRuns {
    private BenchRuns() {
    }

    /**
     * Ends this process with exit code 3 after {@code limitMinutes}, which runs the shutdown hooks
     * that stop what the benchmark started.
     */
    public static void startWatchdog(String bench, long limitMinutes) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(limitMinutes));
                System.err.println(bench + ": over the " + limitMinutes + " min limit; giving up");
                System.exit(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** A benchmark's body, which may throw anything. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a benchmark program and exits: a watchdog of {@code limitMinutes}, {@code cleanUp} when the
     * process ends (also at the watchdog or a signal), exit code 0, or 1 with the failure printed.
     */
    public static void main(String bench, long limitMinutes, Body body, Runnable cleanUp) {
        startWatchdog(bench, limitMinutes);
        Runtime.getRuntime().addShutdownHook(new Thread(cleanUp, bench.replace(' ', '-') + "-cleanup"));
        int rc;
        try {
            body.run();
            rc = 0;
        } catch (Exception | Error e) {
            System.err.println(bench + " failed: " + e);
            e.printStackTrace();
            rc = 1;
        }
        System.exit(rc);
    }

    /**
     * The results of each {@code run-N} directory in {@code dir}, in name order: the given
     * properties files merged.
     *
     * @param skipEmpty leave out a run directory that holds none of the files
     */
    public static List<Properties> load(Path dir, List<String> files, boolean skipEmpty) throws IOException {
        List<Properties> runs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(dir)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("run-")).sorted().toList()) {
                Properties p = new Properties();
                boolean any = false;
                for (String f : files) {
                    Path file = d.resolve(f);
                    if (Files.exists(file)) {
                        any = true;
                        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                            p.load(r);
                        }
                    }
                }
                if (any || !skipEmpty) {
                    runs.add(p);
                }
            }
        }
        return runs;
    }

    /** The Markdown table's header: figure, target, one column per run, verdict. */
    public static void header(StringBuilder out, int runs) {
        out.append("| Figure | Target |");
        for (int i = 1; i <= runs; i++) {
            out.append(" Run ").append(i).append(" |");
        }
        out.append(" Verdict |\n|---|---|").append("---|".repeat(runs)).append("---|\n");
    }
}
