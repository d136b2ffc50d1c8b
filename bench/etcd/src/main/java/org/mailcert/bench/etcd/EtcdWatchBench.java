package org.mailcert.bench.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The etcd side of the sync benchmark: etcd 3.4 (Debian's etcd-server) as a plain process on
 * loopback, 1,000 watchers through jetcd, each on its own host's prefix {@code /hosts/<host>/}
 * and spread over a few clients (connections), and the same change pattern as the mailcert
 * latency phase: one put to one host's binding key at a time, 20-50 ms apart, measured from just
 * before the put is sent to the moment that host's watcher is notified. An extra fan-out figure:
 * each host also watches {@code /certs/fleet-wildcard}; one put, until all are notified.
 *
 * <p>What is measured differs from mailcert's figure: here a notification arriving at a watcher;
 * there a notification arriving at an agent plus the agent's Ack sent back.
 */
public final class EtcdWatchBench {
    private final Options o;
    private final Map<String, String> results = new LinkedHashMap<>();
    private final long t0 = System.nanoTime();
    private final Random random;
    private Process etcd;
    private final List<Client> clients = new ArrayList<>();
    private final List<Watch.Watcher> watchers = new ArrayList<>();
    /** Per host: events seen, and a one-shot waiter for the next event. */
    private final AtomicInteger[] hostEvents;
    private final AtomicReference<CompletableFuture<Long>>[] hostWaiters;
    private final Map<Integer, Long> certNotified = new ConcurrentHashMap<>();
    private volatile CountDownLatch certLatch = new CountDownLatch(0);
    private volatile long certArmedAfter = Long.MAX_VALUE;

    @SuppressWarnings("unchecked")
    private EtcdWatchBench(Options o) {
        this.o = o;
        this.random = new Random(o.seed);
        this.hostEvents = new AtomicInteger[o.watchers];
        this.hostWaiters = new AtomicReference[o.watchers];
        for (int i = 0; i < o.watchers; i++) {
            hostEvents[i] = new AtomicInteger();
            hostWaiters[i] = new AtomicReference<>();
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("logback.configurationFile", "bench-logback.xml");
        Options o = Options.parse(args);
        long limitMinutes = o.timeoutMinutes + 2 * o.quietWaitSeconds / 60;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(limitMinutes));
                System.err.println("etcd bench: over the " + limitMinutes + " min limit; giving up");
                System.exit(3); // runs the shutdown hooks, which stop what this process started
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        EtcdWatchBench bench = new EtcdWatchBench(o);
        int rc;
        try {
            bench.run();
            rc = 0;
        } catch (Exception e) {
            System.err.println("etcd bench failed: " + e);
            e.printStackTrace();
            rc = 1;
        } finally {
            bench.cleanUp();
        }
        System.exit(rc);
    }

    static String host(int i) {
        return String.format(Locale.ROOT, "mx%04d.fleet.example.net", i);
    }

    static String bindingKey(int i, String id) {
        return "/hosts/" + host(i) + "/bindings/" + id;
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** A value of exactly n bytes, as text (the binding record with its PEM material, in size). */
    private ByteSequence value(int n, int salt) {
        StringBuilder b = new StringBuilder(n);
        b.append("{\"salt\":").append(salt).append(",\"pem\":\"");
        while (b.length() < n - 2) {
            b.append((char) ('A' + random.nextInt(26)));
        }
        b.append("\"}");
        return bytes(b.substring(0, n));
    }

    private void run() throws Exception {
        Files.createDirectories(o.work);
        String version = version();
        put("etcd.version", version);
        put("etcd.watchers", o.watchers);
        put("etcd.clients", o.clients);
        put("etcd.changes", o.changes);
        put("etcd.value_bytes", o.valueBytes);
        put("etcd.seed", o.seed);
        put("etcd.started", Instant.now().toString());
        int clientPort = freePort();
        int peerPort = freePort();
        startEtcd(clientPort, peerPort);

        for (int c = 0; c < o.clients; c++) {
            clients.add(Client.builder().endpoints("http://127.0.0.1:" + clientPort).build());
        }
        KV kv = clients.get(0).getKVClient();
        long startRevision = kv.get(bytes("/")).get(30, TimeUnit.SECONDS).getHeader().getRevision();

        log("watching: " + o.watchers + " host prefixes + " + o.watchers + " certificate keys on " + o.clients
                + " clients");
        WatchOption fromStart = WatchOption.builder().isPrefix(true).withRevision(startRevision + 1).build();
        WatchOption certFromStart = WatchOption.builder().withRevision(startRevision + 1).build();
        for (int i = 0; i < o.watchers; i++) {
            int host = i;
            Watch w = clients.get(i % o.clients).getWatchClient();
            watchers.add(w.watch(bytes("/hosts/" + host(i) + "/"), fromStart,
                    Watch.listener(r -> hostEvent(host, r), t -> log("watch error on " + host(host) + ": " + t))));
            watchers.add(w.watch(bytes("/certs/fleet-wildcard"), certFromStart,
                    Watch.listener(r -> certEvent(host, r), t -> log("watch error on certs: " + t))));
        }

        // Desired state of every host (five bindings each), in transactions of 100 puts. Watchers
        // started at the revision before it, so each sees all five even if it registered late:
        // seeing them proves every watch stream is up.
        long populate = System.nanoTime();
        int perHost = 5;
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < o.watchers; i++) {
            for (String id : List.of("server", "mail/a", "webmail/a", "mail/b", "webmail/b")) {
                ops.add(Op.put(bytes(bindingKey(i, id)), value(o.valueBytes, i), PutOption.DEFAULT));
                if (ops.size() == 100) {
                    kv.txn().Then(ops.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
                    ops.clear();
                }
            }
        }
        if (!ops.isEmpty()) {
            kv.txn().Then(ops.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
        }
        certLatch = new CountDownLatch(o.watchers);
        certArmedAfter = 0;
        kv.put(bytes("/certs/fleet-wildcard"), value(o.valueBytes, -1)).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (Arrays.stream(hostEvents).anyMatch(a -> a.get() < perHost) || certLatch.getCount() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every watcher saw the initial state within 120 s");
            }
            Thread.sleep(50);
        }
        put("etcd.setup_s", (System.nanoTime() - populate) / 1e9);
        Thread.sleep(1000);

        awaitQuiet("latency");
        double[] cpu = cpu();
        latency(kv);
        cpuSince("latency", cpu);
        awaitQuiet("fanout");
        cpu = cpu();
        fanOut(kv);
        cpuSince("fanout", cpu);
        put("etcd.run_s", (System.nanoTime() - t0) / 1e9);
        write();
    }

    private void hostEvent(int host, WatchResponse r) {
        long now = System.nanoTime();
        for (WatchEvent e : r.getEvents()) {
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                hostEvents[host].incrementAndGet();
                CompletableFuture<Long> w = hostWaiters[host].getAndSet(null);
                if (w != null) {
                    w.complete(now);
                }
            }
        }
    }

    private void certEvent(int host, WatchResponse r) {
        long now = System.nanoTime();
        if (!r.getEvents().isEmpty() && now > certArmedAfter && certNotified.putIfAbsent(host, now) == null) {
            certLatch.countDown();
        }
    }

    private void latency(KV kv) throws Exception {
        int n = Math.min(o.changes, o.watchers);
        int warm = Math.min(o.warmup, o.watchers - n);
        List<Integer> hosts = new ArrayList<>();
        for (int i = 0; i < o.watchers; i++) {
            hosts.add(i);
        }
        Collections.shuffle(hosts, random);
        log("latency: " + warm + " warm-up puts, then " + n + " measured, one at a time, 20-50 ms apart");
        put("etcd.latency.warmup", warm);
        List<Double> notified = new ArrayList<>();
        List<Double> putRpc = new ArrayList<>();
        for (int k = 0; k < warm + n; k++) {
            int i = hosts.get(k);
            CompletableFuture<Long> w = new CompletableFuture<>();
            hostWaiters[i].set(w);
            ByteSequence v = value(o.valueBytes, k);
            long start = System.nanoTime();
            kv.put(bytes(bindingKey(i, "webmail/a")), v).get(10, TimeUnit.SECONDS);
            long putDone = System.nanoTime();
            long at = w.get(10, TimeUnit.SECONDS);
            if (k >= warm) {
                notified.add((at - start) / 1e6);
                putRpc.add((putDone - start) / 1e6);
            }
            Thread.sleep(20 + random.nextInt(31));
        }
        stats("etcd.latency.notified", notified);
        stats("etcd.latency.put_rpc", putRpc);
    }

    private void fanOut(KV kv) throws Exception {
        Thread.sleep(1000);
        log("fan-out: one put to the key all " + o.watchers + " hosts watch");
        certNotified.clear();
        certLatch = new CountDownLatch(o.watchers);
        ByteSequence v = value(o.valueBytes, -2);
        long start = System.nanoTime();
        certArmedAfter = start;
        kv.put(bytes("/certs/fleet-wildcard"), v).get(10, TimeUnit.SECONDS);
        long putDone = System.nanoTime();
        if (!certLatch.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(certLatch.getCount() + " watchers not notified within 60 s");
        }
        long last = certNotified.values().stream().max(Comparator.naturalOrder()).orElseThrow();
        put("etcd.fanout.put_rpc_ms", (putDone - start) / 1e6);
        put("etcd.fanout.all_notified_ms", (last - start) / 1e6);
        stats("etcd.fanout.notified", certNotified.values().stream().map(t -> (t - start) / 1e6).toList());
    }

    /**
     * Waits up to --quiet-wait seconds until programs other than etcd and this one use under 0.3
     * of a core over 5 s (as the sync module's Quiet does), so a shared machine's other work is
     * not measured along.
     */
    private void awaitQuiet(String phase) throws InterruptedException {
        long start = System.nanoTime();
        while (o.quietWaitSeconds > 0) {
            double[] before = cpu();
            Thread.sleep(5000);
            double[] after = cpu();
            double others = (after[2] - before[2] - (after[0] - before[0]) - (after[1] - before[1]))
                    / (after[3] - before[3]);
            double waited = (System.nanoTime() - start) / 1e9;
            if (others <= 0.3) {
                break;
            }
            if (waited > o.quietWaitSeconds) {
                log(String.format(Locale.ROOT, "machine still busy (other programs: %.2f cores); measuring anyway",
                        others));
                break;
            }
            log(String.format(Locale.ROOT, "waiting for an idle machine: other programs use %.2f cores", others));
        }
        put("etcd.quiet." + phase + ".waited_s", (System.nanoTime() - start) / 1e9);
    }

    /** CPU seconds so far of etcd, of this process (the watchers) and of the whole machine, and now. */
    private double[] cpu() {
        return new double[] {cpuSeconds(etcd.pid()), cpuSeconds(ProcessHandle.current().pid()), machineCpu(),
            System.nanoTime() / 1e9};
    }

    private double[] cpuSince(String phase, double[] before) {
        double[] now = cpu();
        double etcdCpu = now[0] - before[0];
        double self = now[1] - before[1];
        put("etcd.cpu." + phase + ".wall_s", now[3] - before[3]);
        put("etcd.cpu." + phase + ".etcd_s", etcdCpu);
        put("etcd.cpu." + phase + ".watchers_s", self);
        put("etcd.cpu." + phase + ".others_s", now[2] - before[2] - etcdCpu - self);
        return now;
    }

    /** utime + stime of a process from /proc/PID/stat, in seconds (100 ticks per second). */
    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Busy CPU seconds of the whole machine, from /proc/stat. */
    private static double machineCpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private void stats(String prefix, List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        put(prefix + ".p50_ms", percentile(a, 50));
        put(prefix + ".p99_ms", percentile(a, 99));
        put(prefix + ".max_ms", a[a.length - 1]);
        put(prefix + ".mean_ms", Arrays.stream(a).average().orElse(Double.NaN));
        put(prefix + ".n", a.length);
    }

    /** Nearest rank, as in the sync module's Stats. */
    private static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private void startEtcd(int clientPort, int peerPort) throws Exception {
        Path data = o.work.resolve("etcd-data");
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> cmd = List.of(o.etcd.toString(),
                "--name", "bench",
                "--data-dir", data.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bench=" + peer, "--initial-cluster-state", "new",
                "--logger", "zap", "--log-level", "warn");
        log("starting " + String.join(" ", cmd));
        etcd = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(o.work.resolve("etcd.log").toFile())).start();
        Process started = etcd;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "kill-etcd"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!etcd.isAlive()) {
                throw new IllegalStateException("etcd exited with " + etcd.exitValue() + "; see "
                        + o.work.resolve("etcd.log"));
            }
            try (java.net.Socket s = new java.net.Socket(InetAddress.getByName("127.0.0.1"), clientPort)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("etcd did not listen within 30 s");
    }

    private String version() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(o.etcd.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        String first = out.lines().findFirst().orElse("").replace("etcd Version:", "").trim();
        if (!first.startsWith("3.4.")) {
            throw new IllegalStateException("expected etcd 3.4 (Debian's etcd-server), found: " + out.trim());
        }
        return first;
    }

    private void cleanUp() {
        for (Watch.Watcher w : watchers) {
            try {
                w.close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        for (Client c : clients) {
            c.close();
        }
        if (etcd != null && etcd.isAlive()) {
            etcd.destroy();
            try {
                if (!etcd.waitFor(20, TimeUnit.SECONDS)) {
                    etcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> walk = Files.exists(o.work.resolve("etcd-data")) ? Files.walk(o.work.resolve("etcd-data"))
                : Stream.empty()) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log("could not delete the etcd data dir: " + e);
        }
    }

    private void put(String key, Object value) {
        String v = value instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(value);
        results.put(key, v);
        System.err.printf("  %-48s %s%n", key, v);
    }

    private void write() throws IOException {
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(o.out, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : results.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
        log("results written to " + o.out);
    }

    private void log(String message) {
        System.err.printf(Locale.ROOT, "[%7.1f s] %s%n", (System.nanoTime() - t0) / 1e9, message);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Command-line options. */
    static final class Options {
        int watchers = 1000;
        int clients = 10;
        int changes = 500;
        int warmup = 100;
        int valueBytes = 2048;
        long seed = System.currentTimeMillis();
        Path etcd = Path.of("/usr/bin/etcd");
        Path work;
        Path out;
        int timeoutMinutes = 10;
        long quietWaitSeconds = 600;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--watchers" -> { o.watchers = Integer.parseInt(v); i++; }
                    case "--clients" -> { o.clients = Integer.parseInt(v); i++; }
                    case "--changes" -> { o.changes = Integer.parseInt(v); i++; }
                    case "--warmup" -> { o.warmup = Integer.parseInt(v); i++; }
                    case "--value-bytes" -> { o.valueBytes = Integer.parseInt(v); i++; }
                    case "--seed" -> { o.seed = Long.parseLong(v); i++; }
                    case "--etcd" -> { o.etcd = Path.of(v); i++; }
                    case "--work" -> { o.work = Path.of(v); i++; }
                    case "--out" -> { o.out = Path.of(v); i++; }
                    case "--timeout-minutes" -> { o.timeoutMinutes = Integer.parseInt(v); i++; }
                    case "--quiet-wait" -> { o.quietWaitSeconds = Long.parseLong(v); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + "; options: --watchers N --clients N --changes N --warmup N --value-bytes N --seed N --etcd PATH"
                            + " --work DIR --out FILE --timeout-minutes N --quiet-wait S");
                }
            }
            if (o.work == null) {
                o.work = Path.of(System.getProperty("java.io.tmpdir"), "mailcert-etcd-bench-" + ProcessHandle.current().pid());
            }
            if (o.out == null) {
                o.out = o.work.resolve("etcd.properties");
            }
            if (o.valueBytes < 32) {
                throw new IllegalArgumentException("--value-bytes must be at least 32");
            }
            return o;
        }
    }
}
