package org.mailcert.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * CPU seconds of each participant over one measured phase, from /proc (Linux): named processes,
 * this JVM, the children it has reaped (certbot and CLI processes: their time lands in this
 * process's cutime/cstime once waited for), and everything else on the machine ("others").
 */
final class PhaseCpu {
    private static final double TICKS = 100.0;

    private final Map<String, LongSupplier[]> participants;
    private final Map<String, Double> start;
    private final long startNanos;

    private PhaseCpu(Map<String, LongSupplier[]> participants) {
        this.participants = participants;
        this.start = sample();
        this.startNanos = System.nanoTime();
    }

    /** Starts counting now; {@code participants}: a name and the pids that make it up (-1: none). */
    static PhaseCpu begin(Map<String, LongSupplier[]> participants) {
        return new PhaseCpu(new LinkedHashMap<>(participants));
    }

    /** Puts {@code cpu.<phase>.<participant>_s}, {@code bench_s}, {@code children_s}, {@code others_s} and {@code wall_s}. */
    void end(Results results, String phase) {
        Map<String, Double> now = sample();
        double wall = (System.nanoTime() - startNanos) / 1e9;
        results.put("cpu." + phase + ".wall_s", wall);
        double ours = 0;
        for (String name : now.keySet()) {
            if (name.equals("machine")) {
                continue;
            }
            double used = now.get(name) - start.get(name);
            ours += used;
            results.put("cpu." + phase + "." + name + "_s", used);
        }
        results.put("cpu." + phase + ".others_s", Math.max(0, now.get("machine") - start.get("machine") - ours));
    }

    private Map<String, Double> sample() {
        Map<String, Double> s = new LinkedHashMap<>();
        for (Map.Entry<String, LongSupplier[]> p : participants.entrySet()) {
            double sum = 0;
            for (LongSupplier pid : p.getValue()) {
                long id = pid.getAsLong();
                if (id > 0) {
                    double[] t = times(id);
                    sum += t[0] + t[1];
                }
            }
            s.put(p.getKey(), sum);
        }
        double[] self = times(ProcessHandle.current().pid());
        s.put("bench", self[0] + self[1]);
        s.put("children", self[2] + self[3]);
        s.put("machine", Cpu.machine());
        return s;
    }

    /** utime, stime, cutime, cstime in seconds; zeros for a process that is gone. */
    private static double[] times(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new double[] {Long.parseLong(f[11]) / TICKS, Long.parseLong(f[12]) / TICKS,
                Long.parseLong(f[13]) / TICKS, Long.parseLong(f[14]) / TICKS};
        } catch (IOException | RuntimeException e) {
            return new double[4];
        }
    }
}
