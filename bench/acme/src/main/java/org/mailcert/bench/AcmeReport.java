package org.mailcert.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Prints the ACME benchmark's tables (Markdown): {@code AcmeReport DIR} reads
 * {@code DIR/run-N/acme.properties}: each phase's rate and latencies, the ratios against issue 6's
 * target (at least twice certbot's rate), CPU per phase, and where the controller's orders spent
 * their time.
 */
public final class AcmeReport {
    private static final List<String> PHASES = List.of("mailcert_c1", "mailcert_par", "certbot_seq", "certbot_par");
    private static final double TARGET = 2.0;

    private final List<Properties> runs;

    private AcmeReport(List<Properties> runs) {
        this.runs = runs;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: AcmeReport RESULTS_DIR (with run-1/, run-2/, ... inside)");
            System.exit(2);
        }
        List<Properties> runs = BenchRuns.load(Path.of(args[0]), List.of("acme.properties"), true);
        if (runs.isEmpty()) {
            System.err.println("no run-N/acme.properties in " + args[0]);
            System.exit(2);
        }
        System.out.print(new AcmeReport(runs).render());
    }

    private String render() {
        StringBuilder out = new StringBuilder();
        out.append("| Client | At once | Run | Certificates | Wall time | Certs/s | p50 | p95 | max | Failures |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (String phase : PHASES) {
            for (int r = 0; r < runs.size(); r++) {
                Properties p = runs.get(r);
                String k = "phase." + phase;
                if (!p.containsKey(k + ".issued")) {
                    continue;
                }
                out.append("| ").append(client(phase)).append(" | ").append(p.getProperty(k + ".concurrency"))
                        .append(" | ").append(r + 1).append(" | ").append(p.getProperty(k + ".issued"))
                        .append(" | ").append(f(d(p, k + ".wall_s"), 1)).append(" s | ")
                        .append(f(d(p, k + ".per_second"), 3)).append(" | ")
                        .append(sec(d(p, k + ".latency.p50_ms"))).append(" | ")
                        .append(sec(d(p, k + ".latency.p95_ms"))).append(" | ")
                        .append(sec(d(p, k + ".latency.max_ms"))).append(" | ")
                        .append(p.getProperty(k + ".failures")).append(" |\n");
            }
        }
        out.append('\n');
        if (runs.stream().anyMatch(p -> p.containsKey("phase.mailcert_c1.per_second"))
                && runs.stream().anyMatch(p -> p.containsKey("phase.certbot_seq.per_second"))) {
            ratios(out);
        }
        cpu(out);
        out.append('\n');
        steps(out);
        return out.toString();
    }

    /** The rates of mailcert against certbot's, beside issue 6's target. */
    private void ratios(StringBuilder out) {
        BenchRuns.header(out, runs.size());
        ratio(out, "mailcert at " + concurrency() + " ÷ certbot one after the other (how each is run)",
                "mailcert_par", "certbot_seq");
        ratio(out, "mailcert at " + concurrency() + " ÷ certbot with " + concurrency() + " workers (equal concurrency)",
                "mailcert_par", "certbot_par");
        ratio(out, "mailcert one at a time ÷ certbot one after the other", "mailcert_c1", "certbot_seq");
        out.append('\n');
    }

    /** A ratio of rates with its verdict against the target. */
    private void ratio(StringBuilder out, String name, String ours, String theirs) {
        if (runs.stream().noneMatch(p -> p.containsKey("phase." + ours + ".per_second")
                && p.containsKey("phase." + theirs + ".per_second"))) {
            return;
        }
        out.append("| ").append(name).append(" (certs/s) | ≥ ").append(f(TARGET, 0)).append(" × |");
        int met = 0;
        for (Properties p : runs) {
            double r = d(p, "phase." + ours + ".per_second") / d(p, "phase." + theirs + ".per_second");
            out.append(' ').append(f(r, 2)).append(" × |");
            if (r >= TARGET) {
                met++;
            }
        }
        out.append(met == runs.size() ? " **met** (" + met + "/" + runs.size() + ")"
                : " **not met** (" + met + "/" + runs.size() + " runs)").append(" |\n");
    }

    /** CPU seconds per phase: who used the machine while each side issued. */
    private void cpu(StringBuilder out) {
        out.append("| CPU s per phase: controller / Pebble / BIND / bench JVM / certbot processes / others"
                + " (wall) | CPU ms per certificate, all but others |\n|---|---|\n");
        for (String phase : PHASES) {
            for (int r = 0; r < runs.size(); r++) {
                Properties p = runs.get(r);
                String k = "cpu." + phase;
                if (!p.containsKey(k + ".wall_s")) {
                    continue;
                }
                double ours = 0;
                StringBuilder parts = new StringBuilder();
                for (String who : List.of("controller", "pebble", "bind", "bench", "children", "others")) {
                    double v = d(p, k + "." + who + "_s");
                    if (!who.equals("others")) {
                        ours += v;
                    }
                    parts.append(parts.length() == 0 ? "" : " / ").append(f(v, 1));
                }
                out.append("| ").append(client(phase)).append(" at ").append(p.getProperty("phase." + phase
                        + ".concurrency")).append(" (run ").append(r + 1).append("): ").append(parts)
                        .append(" (").append(f(d(p, k + ".wall_s"), 1)).append(") | ")
                        .append(f(1000 * ours / d(p, "phase." + phase + ".issued"), 0)).append(" |\n");
            }
        }
    }

    /** Mean milliseconds of each step of the controller's orders, from its log. */
    private void steps(StringBuilder out) {
        if (runs.stream().noneMatch(p -> p.containsKey("steps.mailcert_c1.orders"))) {
            return;
        }
        out.append("| controller, mean ms per order | orders | RPC total | before the order is placed |");
        for (String step : ControllerSteps.STEPS) {
            out.append(' ').append(step.replace('_', ' ')).append(" |");
        }
        out.append("\n|---|---|---|---|").append("---|".repeat(ControllerSteps.STEPS.size())).append('\n');
        for (String phase : List.of("mailcert_c1", "mailcert_par")) {
            for (int r = 0; r < runs.size(); r++) {
                Properties p = runs.get(r);
                String k = "steps." + phase;
                if (d(p, k + ".orders") > 0) {
                    double rpc = d(p, "phase." + phase + ".latency.mean_ms");
                    out.append("| ").append(client(phase)).append(" at ").append(p.getProperty("phase." + phase
                            + ".concurrency")).append(" (run ").append(r + 1).append(") | ")
                            .append(p.getProperty(k + ".orders")).append(" | ").append(f(rpc, 0)).append(" | ")
                            .append(f(rpc - d(p, k + ".placed_to_stored.mean_ms"), 0)).append(" |");
                    for (String step : ControllerSteps.STEPS) {
                        out.append(' ').append(f(d(p, k + "." + step + ".mean_ms"), 0)).append(" |");
                    }
                    out.append('\n');
                }
            }
        }
    }

    private String concurrency() {
        return runs.get(0).getProperty("run.concurrency", "?");
    }

    private static String client(String phase) {
        return phase.startsWith("mailcert") ? "mailcert" : phase.equals("certbot_seq") ? "certbot, sequential"
                : "certbot, parallel workers";
    }

    private static String sec(double ms) {
        return f(ms / 1000, 2) + " s";
    }

    private static String f(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static double d(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }
}
