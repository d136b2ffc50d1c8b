package org.mailcert.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;

/**
 * Prints the results table (Markdown) of one or more runs: {@code Report DIR} reads
 * {@code DIR/run-N/mailcert.properties} and {@code DIR/run-N/etcd.properties} and sets each figure
 * beside its target from issue 3.
 */
public final class Report {
    private final List<Properties> runs;

    private Report(List<Properties> runs) {
        this.runs = runs;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report RESULTS_DIR (with run-1/, run-2/, ... inside)");
            System.exit(2);
        }
        List<Properties> runs = BenchRuns.load(Path.of(args[0]), List.of("mailcert.properties", "etcd.properties"),
                false);
        if (runs.isEmpty()) {
            System.err.println("no run-N directories in " + args[0]);
            System.exit(2);
        }
        System.out.print(new Report(runs).render());
    }

    private String render() {
        StringBuilder out = new StringBuilder();
        BenchRuns.header(out, runs.size());

        row(out, "changes measured, after warm-up changes not measured: mailcert / etcd", "",
                p -> p.getProperty("latency.ack.n", "?") + " after " + p.getProperty("latency.warmup", "0") + " / "
                        + p.getProperty("etcd.latency.notified.n", "?") + " after "
                        + p.getProperty("etcd.latency.warmup", "0"), null);
        row(out, "mailcert: change → Ack, p50", "", ms("latency.ack.p50_ms"), null);
        row(out, "mailcert: change → Ack, p99", "≤ 20 ms and ≤ etcd p99", ms("latency.ack.p99_ms"),
                p -> d(p, "latency.ack.p99_ms") <= 20 && d(p, "latency.ack.p99_ms") <= d(p, "etcd.latency.notified.p99_ms"));
        row(out, "mailcert: change → Ack, max", "", ms("latency.ack.max_ms"), null);
        row(out, "etcd 3.4: put → watcher notified, p50", "", ms("etcd.latency.notified.p50_ms"), null);
        row(out, "etcd 3.4: put → watcher notified, p99", "", ms("etcd.latency.notified.p99_ms"), null);
        row(out, "etcd 3.4: put → watcher notified, max", "", ms("etcd.latency.notified.max_ms"), null);
        row(out, "mailcert: Bind RPC alone (rule checks + store write), p50 / p99", "",
                p -> f1(d(p, "latency.bind_rpc.p50_ms")) + " / " + f1(d(p, "latency.bind_rpc.p99_ms")) + " ms", null);
        row(out, "mailcert: Bind RPC return → Ack, p50 / p99", "",
                p -> f1(d(p, "latency.rpc_return_to_ack.p50_ms")) + " / " + f1(d(p, "latency.rpc_return_to_ack.p99_ms"))
                        + " ms", null);
        row(out, "mailcert: a small read RPC on the same channel (ListAdminTokens), p50 / p99", "",
                p -> p.getProperty("latency.read_rpc.p50_ms") == null ? "not measured"
                        : f1(d(p, "latency.read_rpc.p50_ms")) + " / " + f1(d(p, "latency.read_rpc.p99_ms")) + " ms",
                null);
        row(out, "etcd 3.4: put RPC alone, p50 / p99", "",
                p -> f1(d(p, "etcd.latency.put_rpc.p50_ms")) + " / " + f1(d(p, "etcd.latency.put_rpc.p99_ms")) + " ms",
                null);
        row(out, "mailcert: renewal of the shared certificate → all agents Acked", "≤ 2 s",
                ms("fanout.all_acked_ms"), p -> d(p, "fanout.all_acked_ms") <= 2000);
        row(out, "mailcert: … → controller has recorded every Ack", "", ms("fanout.controller_recorded_all_ms"), null);
        row(out, "etcd 3.4: one put → all watchers of the key notified", "", ms("etcd.fanout.all_notified_ms"), null);
        row(out, "mailcert: live heap per idle stream (first start)", "≤ 32 KiB", kib("heap.first.per_stream_bytes"),
                p -> d(p, "heap.first.per_stream_bytes") <= 32 * 1024);
        row(out, "mailcert: live heap per idle stream (after restart)", "≤ 32 KiB",
                kib("heap.restarted.per_stream_bytes"), p -> d(p, "heap.restarted.per_stream_bytes") <= 32 * 1024);
        row(out, "mailcert: RSS per idle stream (first start; off-heap included, informative)", "",
                kib("heap.first.rss_per_stream_bytes"), null);
        row(out, "mailcert: full state to all agents (first connect)", "", bytes("connect.bytes_total"), null);
        row(out, "mailcert: full resend after restart (empty Hellos)", "", bytes("reconnect.full.bytes_total"), null);
        row(out, "mailcert: resume after restart (Hello with applied state)", "", bytes("reconnect.resume.bytes_total"),
                null);
        row(out, "mailcert: resume / full resend", "≤ 1 %",
                p -> String.format(Locale.ROOT, "%.3f %%", d(p, "reconnect.ratio_vs_full_resend_pct")),
                p -> d(p, "reconnect.ratio_vs_full_resend_pct") <= 1.0);
        row(out, "mailcert: restart → all in sync (resume), from kill / from healthy", "",
                p -> f1(d(p, "reconnect.resume.all_synced_after_kill_s")) + " s / "
                        + f1(d(p, "reconnect.resume.all_synced_after_healthy_s")) + " s", null);
        row(out, "mailcert: restart → all in sync (full resend), from kill / from healthy", "",
                p -> f1(d(p, "reconnect.full.all_synced_after_kill_s")) + " s / "
                        + f1(d(p, "reconnect.full.all_synced_after_healthy_s")) + " s", null);
        row(out, "mailcert: successful attempt (TCP, TLS, Hello) → Ack, p50 / p99 (resume)", "",
                p -> f1(d(p, "reconnect.resume.open_to_ack.p50_ms")) + " / "
                        + f1(d(p, "reconnect.resume.open_to_ack.p99_ms")) + " ms", null);
        row(out, "mailcert: successful attempt (TCP, TLS, Hello) → Ack, p50 / p99 (full resend)", "",
                p -> f1(d(p, "reconnect.full.open_to_ack.p50_ms")) + " / "
                        + f1(d(p, "reconnect.full.open_to_ack.p99_ms")) + " ms", null);
        row(out, "mailcert: most Hellos in one 250 ms (resume)", "",
                p -> p.getProperty("reconnect.resume.max_hellos_per_250ms", "?"), null);
        row(out, "other programs' CPU (cores) in mailcert latency / etcd latency / mailcert fan-out", "≈ 0",
                p -> String.format(Locale.ROOT, "%.2f / %.2f / %.2f",
                        d(p, "cpu.latency.others_s") / d(p, "cpu.latency.wall_s"),
                        d(p, "etcd.cpu.latency.others_s") / d(p, "etcd.cpu.latency.wall_s"),
                        d(p, "cpu.fanout.others_s") / d(p, "cpu.fanout.wall_s")), null);
        return out.toString();
    }

    private void row(StringBuilder out, String name, String target, Function<Properties, String> cell,
            java.util.function.Predicate<Properties> met) {
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

    private static Function<Properties, String> ms(String key) {
        return p -> {
            double v = d(p, key);
            return v >= 1000 ? String.format(Locale.ROOT, "%.2f s", v / 1000) : f1(v) + " ms";
        };
    }

    private static Function<Properties, String> kib(String key) {
        return p -> String.format(Locale.ROOT, "%.1f KiB", d(p, key) / 1024);
    }

    private static Function<Properties, String> bytes(String key) {
        return p -> {
            double v = d(p, key);
            if (v >= 1 << 20) {
                return String.format(Locale.ROOT, "%.2f MiB", v / (1 << 20));
            }
            if (v >= 1 << 10) {
                return String.format(Locale.ROOT, "%.1f KiB", v / (1 << 10));
            }
            return String.format(Locale.ROOT, "%.0f B", v);
        };
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static double d(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }
}
