package org.mailcert.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process tree from /proc (Linux): the process's own user + system time, what its
 * exited and reaped children used (cutime + cstime), and what its live descendants used so far.
 * Children that exit between two readings are counted once reaped; an unreaped zombie's time may
 * be missed, so figures are a close lower bound.
 */
final class TreeCpu {
    private static final double TICKS = 100.0;

    private TreeCpu() {
    }

    /** Own CPU seconds of pid (no children). */
    static double self(long pid) {
        long[] t = times(pid);
        return t == null ? Double.NaN : (t[0] + t[1]) / TICKS;
    }

    /** CPU seconds of the whole tree under pid, pid included. */
    static double tree(long pid) {
        long[] t = times(pid);
        if (t == null) {
            return Double.NaN;
        }
        double sum = (t[0] + t[1] + t[2] + t[3]) / TICKS;
        for (ProcessHandle h : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(java.util.List.of())) {
            long[] c = times(h.pid());
            if (c != null) {
                sum += (c[0] + c[1] + c[2] + c[3]) / TICKS; // its own reaped children included
            }
        }
        return sum;
    }

    /** CPU seconds of pid's exited and reaped children (not its live ones). */
    static double reaped(long pid) {
        long[] t = times(pid);
        return t == null ? Double.NaN : (t[2] + t[3]) / TICKS;
    }

    /** CPU seconds of the tree under pid, minus the process itself: what its commands used. */
    static double children(long pid) {
        return tree(pid) - self(pid);
    }

    private static long[] times(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
