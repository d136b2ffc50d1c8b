package org.mailcert.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Prints the mail benchmark's results table (Markdown): {@code MailReport DIR} reads
 * {@code DIR/run-N/mail.properties} and sets each figure beside its target from issue 4.
 */
public final class MailReport {
    private final List<Properties> runs;

    private MailReport(List<Properties> runs) {
        this.runs = runs;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: MailReport RESULTS_DIR (with run-1/, run-2/, ... inside)");
            System.exit(2);
        }
        List<Properties> runs = BenchRuns.load(Path.of(args[0]), List.of("mail.properties"), true);
        if (runs.isEmpty()) {
            System.err.println("no run-N/mail.properties in " + args[0]);
            System.exit(2);
        }
        System.out.print(new MailReport(runs).render());
    }

    private String render() {
        StringBuilder out = new StringBuilder();
        BenchRuns.header(out, runs.size());

        row(out, "domains (MAIL bindings) on the host", "", p -> p.getProperty("run.domains", "?"), null);
        row(out, "domains per certificate (1: one each; K: SAN bundles of K)", "",
                p -> p.getProperty("run.domains_per_certificate", "1"), null);
        row(out, "the agent's targets", "", p -> p.getProperty("run.targets", "postfix,dovecot"), null);
        row(out, "full apply: agent start → controller records applied == desired", "",
                s("apply.applied_s"), null);
        row(out, "full apply: agent start → sampled names served by Postfix SMTPS and Dovecot IMAPS", "≤ 20 s",
                s("apply.served_s"), p -> d(p, "apply.served_s") <= 20);
        row(out, "one-domain change: ImportCertificate start → new leaf served by both, p50", "",
                ms("change.both.p50_ms"), null);
        row(out, "one-domain change: … p95", "≤ 1 s", ms("change.both.p95_ms"), p -> d(p, "change.both.p95_ms") <= 1000);
        row(out, "one-domain change: … max", "≤ 1 s", ms("change.both.max_ms"), p -> d(p, "change.both.max_ms") <= 1000);
        row(out, "one-domain change: served by Postfix SMTPS, p50 / p95 / max", "",
                triple("change.postfix"), null);
        row(out, "one-domain change: served by Dovecot IMAPS, p50 / p95 / max", "",
                triple("change.dovecot"), null);
        row(out, "one-domain change: ImportCertificate RPC alone, p50 / max", "",
                p -> f0(d(p, "change.import_rpc.p50_ms")) + " / " + f0(d(p, "change.import_rpc.max_ms")) + " ms", null);
        row(out, "one-domain change: … → controller records the Ack, p50 / max", "",
                p -> f0(d(p, "change.applied_recorded.p50_ms")) + " / " + f0(d(p, "change.applied_recorded.max_ms"))
                        + " ms", null);
        row(out, "Dovecot: `doveadm reload`, p50", "", ms("reload.doveadm.p50_ms"), null);
        row(out, "Dovecot: first IMAPS handshake after the reload, p50 / max", "",
                p -> f0(d(p, "reload.first_handshake.p50_ms")) + " / " + f0(d(p, "reload.first_handshake.max_ms"))
                        + " ms", null);
        row(out, "Dovecot: second handshake (another name), p50 / max", "",
                p -> f0(d(p, "reload.second_handshake.p50_ms")) + " / " + f0(d(p, "reload.second_handshake.max_ms"))
                        + " ms", null);
        row(out, "Dovecot: handshake with no reload before it, p50", "", ms("reload.warm_handshake.p50_ms"), null);
        row(out, "Postfix: first SMTPS handshake after `postfix reload`, p50 / max", "",
                p -> f0(d(p, "reload.postfix_first_handshake.p50_ms")) + " / "
                        + f0(d(p, "reload.postfix_first_handshake.max_ms")) + " ms", null);
        if (runs.stream().anyMatch(p -> p.containsKey("drift.wall.p50_ms"))) {
            drift(out);
        }
        row(out, "agent: live heap after full apply (after a full GC)", "", mib("heap.agent.live_bytes"), null);
        row(out, "agent: committed heap / RSS", "",
                p -> mib("heap.agent.committed_bytes").apply(p) + " / " + mib("heap.agent.rss_bytes").apply(p), null);
        for (String phase : List.of("apply", "changes", "reload", "drift")) {
            if (runs.stream().noneMatch(p -> p.containsKey("cpu." + phase + ".wall_s"))) {
                continue;
            }
            row(out, "CPU s in " + phase + " (wall): controller / agent / agent's commands / Postfix / Dovecot / others",
                    "", p -> String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f / %.1f / %.1f (%.1f)",
                            d(p, "cpu." + phase + ".controller_s"), d(p, "cpu." + phase + ".agent_s"),
                            d(p, "cpu." + phase + ".agent_commands_s"), d(p, "cpu." + phase + ".postfix_s"),
                            d(p, "cpu." + phase + ".dovecot_s"), d(p, "cpu." + phase + ".others_s"),
                            d(p, "cpu." + phase + ".wall_s")), null);
        }
        row(out, "setup (not counted): import N certificates / bind N", "",
                p -> f1(d(p, "setup.import_seconds")) + " s / " + f1(d(p, "setup.bind_seconds")) + " s", null);
        return out.toString();
    }

    /** The drift-cycle rows (issue 5). */
    private void drift(StringBuilder out) {
        row(out, "drift cycle: wall time, p50 / max (clean host, cycles)", "≤ 10 s",
                p -> f0(d(p, "drift.wall.p50_ms")) + " / " + f0(d(p, "drift.wall.max_ms")) + " ms ("
                        + p.getProperty("drift.wall.n", "?") + ")", p -> d(p, "drift.wall.max_ms") <= 10_000);
        row(out, "drift cycle: … cycles after the first, p50 / max", "≤ 10 s",
                p -> f0(d(p, "drift.wall_after_first.p50_ms")) + " / " + f0(d(p, "drift.wall_after_first.max_ms"))
                        + " ms", p -> d(p, "drift.wall_after_first.max_ms") <= 10_000);
        row(out, "drift cycle: items on the clean host, all cycles", "0",
                p -> p.getProperty("drift.clean_items", "?"), p -> d(p, "drift.clean_items") == 0);
        row(out, "drift cycle: handshakes, max per cycle (budget; at once; deadline)", "",
                p -> f0(d(p, "drift.probes.max")) + " (" + p.getProperty("drift.probe_budget") + "; "
                        + p.getProperty("drift.parallel") + "; " + p.getProperty("drift.deadline_s") + " s)", null);
        row(out, "drift cycle: benchmark JVM CPU per cycle, p50 / max", "",
                p -> f0(d(p, "drift.bench_cpu.p50_ms")) + " / " + f0(d(p, "drift.bench_cpu.max_ms")) + " ms", null);
        row(out, "drift cycle, last: observe Postfix / Dovecot, handshakes Postfix / Dovecot, checks", "", p -> {
            String c = String.format(Locale.ROOT, "drift.cycle.%02d.", (int) d(p, "drift.wall.n"));
            return String.join(" / ", List.of("observe_postfix", "observe_dovecot", "probes_postfix", "probes_dovecot",
                    "checks").stream().map(k -> p.containsKey(c + k + "_ms") ? f0(d(p, c + k + "_ms")) : "–")
                    .toList()) + " ms";
        }, null);
        row(out, "drift cycle after deleting a key file and editing the SNI map: items", "FileMissing, ConfigEdited",
                p -> p.getProperty("drift.tampered.reasons", "?") + " in " + f0(d(p, "drift.tampered.wall_ms")) + " ms",
                p -> "true".equals(p.getProperty("drift.tampered.right")));
    }

    private void row(StringBuilder out, String name, String target, Function<Properties, String> cell,
            Predicate<Properties> met) {
        out.append("| ").append(name).append(" | ").append(target).append(" |");
        int ok = 0;
        for (Properties p : runs) {
            out.append(' ').append(cell.apply(p)).append(" |");
            if (met != null && met.test(p)) {
                ok++;
            }
        }
        String verdict = met == null ? "" : ok == runs.size() ? "**met** (" + ok + "/" + runs.size() + ")"
                : "**not met** (" + ok + "/" + runs.size() + " runs)";
        out.append(' ').append(verdict).append(" |\n");
    }

    private static Function<Properties, String> triple(String prefix) {
        return p -> f0(d(p, prefix + ".p50_ms")) + " / " + f0(d(p, prefix + ".p95_ms")) + " / "
                + f0(d(p, prefix + ".max_ms")) + " ms";
    }

    private static Function<Properties, String> ms(String key) {
        return p -> {
            double v = d(p, key);
            return v >= 1000 ? String.format(Locale.ROOT, "%.2f s", v / 1000) : f0(v) + " ms";
        };
    }

    private static Function<Properties, String> s(String key) {
        return p -> String.format(Locale.ROOT, "%.1f s", d(p, key));
    }

    private static Function<Properties, String> mib(String key) {
        return p -> String.format(Locale.ROOT, "%.1f MiB", d(p, key) / (1 << 20));
    }

    private static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static double d(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }
}
