package org.mailcert.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time (user + system) a process has used so far, from /proc/PID/stat (Linux). */
final class Cpu {
    /** Clock ticks per second of /proc times; 100 on every Linux this runs on. */
    private static final double TICKS = 100.0;

    private Cpu() {
    }

    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static double self() {
        return seconds(ProcessHandle.current().pid());
    }

    /**
     * CPU time all processes of the machine have used so far (the busy fields of the first line
     * of /proc/stat), so that what other programs used during a phase can be told apart.
     */
    static double machine() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal
                busy += Long.parseLong(f[i]);
            }
            return busy / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
