package org.mailcert.bench;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Waits until programs other than the benchmark's own leave the machine idle, so that a shared
 * machine's other work (builds, tests) is not measured along: over 5 s windows, the machine's
 * busy CPU time minus that of the given processes must stay under {@code maxCores}.
 */
final class Quiet {
    private static final long WINDOW_MILLIS = 5000;

    private Quiet() {
    }

    /**
     * Returns the seconds waited; gives up (and says so) after {@code maxSeconds}.
     *
     * @param own the pids of the benchmark's processes, read anew each window (a restart changes one)
     */
    static double await(long maxSeconds, double maxCores, Consumer<String> log, LongSupplier... own)
            throws InterruptedException {
        if (maxSeconds <= 0) {
            return 0;
        }
        long start = System.nanoTime();
        long deadline = start + maxSeconds * 1_000_000_000L;
        while (true) {
            double machine = Cpu.machine();
            double mine = ownCpu(own);
            Thread.sleep(WINDOW_MILLIS);
            double others = (Cpu.machine() - machine - (ownCpu(own) - mine)) / (WINDOW_MILLIS / 1000.0);
            double waited = (System.nanoTime() - start) / 1e9;
            if (others <= maxCores) {
                return waited;
            }
            if (System.nanoTime() > deadline) {
                log.accept(String.format(Locale.ROOT, "machine still busy (other programs: %.2f cores) after %.0f s;"
                        + " measuring anyway", others, waited));
                return waited;
            }
            log.accept(String.format(Locale.ROOT, "waiting for an idle machine: other programs use %.2f cores", others));
        }
    }

    private static double ownCpu(LongSupplier... pids) {
        double sum = 0;
        for (LongSupplier p : pids) {
            sum += Cpu.seconds(p.getAsLong());
        }
        return sum;
    }
}
