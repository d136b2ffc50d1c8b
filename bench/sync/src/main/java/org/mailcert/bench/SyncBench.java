package org.mailcert.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Pem;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.BindResponse;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.EnrollRequest;
import org.mailcert.proto.v1.EnrollResponse;
import org.mailcert.proto.v1.Host;
import org.mailcert.proto.v1.ImportCertificateResponse;
import org.mailcert.proto.v1.ListAdminTokensRequest;
import org.mailcert.proto.v1.ListHostsRequest;
import org.mailcert.proto.v1.Scope;

/**
 * The sync benchmark of issue 3: a real controller process on loopback and N simulated agents,
 * each with its own key, client certificate and mTLS connection. Phases, in order:
 * <ol>
 *   <li>setup: hosts with join tokens, certificates, bindings; every agent enrolls;</li>
 *   <li>controller live heap with no stream (after a full GC);</li>
 *   <li>first connect: all agents start within a random delay and receive their full state;</li>
 *   <li>live heap with every stream open and idle;</li>
 *   <li>latency: single binding changes on random hosts, one at a time, Bind RPC start to Ack, after
 *       {@code --warmup} changes of the same kind that are not measured;</li>
 *   <li>fan-out: a new version of the certificate every host uses, RPC start to the last Ack;</li>
 *   <li>reconnect: SIGKILL and restart of the controller, agents resume with their applied state;
 *       then the same with agents that send an empty Hello (a full resend), for comparison;</li>
 *   <li>live heap of the restarted controller with all streams, then with none.</li>
 * </ol>
 * Figures go to stderr and to a properties file that {@link Report} turns into a table.
 */
public final class SyncBench {
    private final Options o;
    private final Results results = new Results();
    private final Fleet fleet;
    private final Random random;
    private final long t0 = System.nanoTime();
    private ControllerRunner controller;
    private Admin admin;
    private byte[] caPem;
    private final List<SimAgent> agents = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "agent-reconnect");
        t.setDaemon(true);
        return t;
    });

    private SyncBench(Options o) {
        this.o = o;
        this.fleet = new Fleet(o.agents, o.domains);
        this.random = new Random(o.seed);
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("logback.configurationFile", "bench-logback.xml");
        Options o = Options.parse(args);
        // Five measured phases may each wait up to --quiet-wait for an idle machine.
        long limitMinutes = o.timeoutMinutes + 5 * o.quietWaitSeconds / 60;
        SyncBench bench = new SyncBench(o);
        BenchRuns.main("sync bench", limitMinutes, bench::run, bench::cleanUp);
    }

    private void run() throws Exception {
        Files.createDirectories(o.work);
        Path roots = o.work.resolve("roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(fleet.pki.root())));
        controller = new ControllerRunner(o.controllerJar, o.work.resolve("controller"), roots,
                o.work.resolve("controller.log"), o.controllerJvm);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                controller.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kill-controller"));
        log("starting the controller (" + String.join(" ", o.controllerJvm) + ")");
        controller.start();
        caPem = Files.readAllBytes(controller.caPem());
        admin = new Admin(Channels.tls(controller.port(), caPem), controller.adminToken());

        results.put("run.started", Instant.now().toString());
        results.put("run.seed", o.seed);
        results.put("run.agents", o.agents);
        results.put("run.domains_per_host", o.domains);
        results.put("run.changes", o.changes);
        results.put("run.controller_jvm", String.join(" ", o.controllerJvm));
        results.put("run.backoff", o.backoff.toString());
        results.put("run.start_jitter_ms", o.startJitterMillis);

        begin("setup");
        setUp();
        end();
        begin("enroll");
        enroll();
        end();
        ControllerRunner.HeapSample before = controller.heap(3);
        awaitQuiet("connect");
        begin("connect");
        firstConnect();
        end();
        ControllerRunner.HeapSample with = controller.heap(3);
        heapFigures("heap.first", before, with);
        latency();
        awaitQuiet("fanout");
        begin("fanout");
        fanOut();
        end();
        restart("reconnect.resume", true);
        restart("reconnect.full", false);
        long resume = Long.parseLong(results.get("reconnect.resume.bytes_total"));
        long full = Long.parseLong(results.get("reconnect.full.bytes_total"));
        long first = Long.parseLong(results.get("connect.bytes_total"));
        results.put("reconnect.ratio_vs_full_resend_pct", 100.0 * resume / full);
        results.put("reconnect.ratio_vs_first_connect_pct", 100.0 * resume / first);
        ControllerRunner.HeapSample withAfter = controller.heap(3);
        disconnectAll();
        ControllerRunner.HeapSample none = controller.heap(3);
        heapFigures("heap.restarted", none, withAfter);
        long missing = agents.stream().mapToLong(a -> a.missingMaterial.get()).sum();
        results.put("check.missing_material", missing);
        results.put("run.seconds", (System.nanoTime() - t0) / 1e9);
        results.write(o.out);
        log("results written to " + o.out);
    }

    // ---------------------------------------------------------------- setup

    private void setUp() throws Exception {
        long start = System.nanoTime();
        admin.call().importCertificate(fleet.wildcard(false));
        AtomicInteger bindings = new AtomicInteger();
        parallel(o.agents, 4, i -> {
            admin.call().createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(Fleet.host(i))
                    .setTtlSeconds(3600).build());
            for (int d = 0; d < o.domains; d++) {
                admin.call().importCertificate(fleet.domainCertificate(i, d));
            }
            for (BindRequest b : fleet.bindings(i)) {
                admin.call().bind(b);
                bindings.incrementAndGet();
            }
            return null;
        });
        results.put("setup.hosts", o.agents);
        results.put("setup.bindings", bindings.get());
        results.put("setup.certificates", 1 + (long) o.agents * o.domains);
        results.put("setup.seconds", (System.nanoTime() - start) / 1e9);
    }

    /** Each agent: new EC key, CSR, Enroll with its join token, then its own mTLS channel. */
    private void enroll() throws Exception {
        long start = System.nanoTime();
        List<ManagedChannel> bootstrap = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bootstrap.add(Channels.tls(controller.port(), caPem));
        }
        SimAgent[] made = new SimAgent[o.agents];
        // A join token is shown once: make a second one per host for the agent (the first was
        // only to declare the host during setup, as `mailcert token create` does).
        parallel(o.agents, 4, i -> {
            String token = admin.call().createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(Fleet.host(i))
                    .build()).getToken();
            KeyPair keys = Keys.generate(Keys.KeyType.EC256);
            EnrollResponse r = AgentServiceGrpc.newBlockingStub(bootstrap.get(i % bootstrap.size()))
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .enroll(EnrollRequest.newBuilder().setToken(token)
                            .setCsr(ByteString.copyFrom(Csrs.create(keys, "bench"))).setFacts(Fleet.facts()).build());
            made[i] = new SimAgent(i, r.getHost(), new InetSocketAddress("127.0.0.1", controller.port()),
                    Channels.agent(controller.port(), caPem, r.getCertificatePem(), keys.getPrivate()), scheduler, o.backoff, o.seed * 7919 + i, Fleet.facts());
            return null;
        });
        Collections.addAll(agents, made);
        for (ManagedChannel c : bootstrap) {
            c.shutdownNow();
        }
        results.put("setup.enroll_seconds", (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------- phases

    private void firstConnect() throws Exception {
        log("first connect: " + o.agents + " agents within " + o.startJitterMillis + " ms");
        Map<Integer, SimAgent.Applied> first = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(o.agents);
        for (SimAgent a : agents) {
            a.listener(u -> {
                if (first.putIfAbsent(u.agent().index, u) == null) {
                    all.countDown();
                }
            });
        }
        long start = System.nanoTime();
        for (SimAgent a : agents) {
            a.start(o.startJitterMillis);
        }
        await(all, 120, "first connect");
        long last = first.values().stream().mapToLong(SimAgent.Applied::ackNanos).max().orElseThrow();
        long bytes = first.values().stream().mapToLong(SimAgent.Applied::bytes).sum();
        results.put("connect.all_synced_s", (last - start) / 1e9);
        results.put("connect.bytes_total", bytes);
        results.put("connect.bytes_per_agent", bytes / (double) o.agents);
        results.put("connect.materials_per_agent",
                first.values().stream().mapToInt(SimAgent.Applied::materials).average().orElse(0));
        results.put("connect.bindings_per_agent",
                first.values().stream().mapToInt(SimAgent.Applied::upserts).average().orElse(0));
        results.putStats("connect.open_to_ack", Stats.of(first.values().stream()
                .map(u -> Stats.ms(u.ackNanos() - u.helloNanos())).toList()));
        clearListeners();
        settle();
    }

    private void latency() throws Exception {
        int n = Math.min(o.changes, o.agents);
        int warm = Math.min(o.warmup, o.agents - n);
        List<Integer> hosts = new ArrayList<>();
        for (int i = 0; i < o.agents; i++) {
            hosts.add(i);
        }
        Collections.shuffle(hosts, random);
        hosts = hosts.subList(0, warm + n);
        log("latency: importing " + (warm + n) + " alternate certificates (not yet bound: no host is told)");
        parallel(hosts, 4, i -> {
            admin.call().importCertificate(fleet.alternate(i));
            return null;
        });
        settle();
        awaitQuiet("latency");
        log("latency: " + warm + " warm-up changes, then " + n + " measured, one at a time, 20-50 ms apart");
        results.put("latency.warmup", warm);
        begin("latency");
        List<Double> ack = new ArrayList<>();
        List<Double> received = new ArrayList<>();
        List<Double> firstPage = new ArrayList<>();
        List<Double> rpc = new ArrayList<>();
        List<Double> afterRpc = new ArrayList<>();
        List<Double> readRpc = new ArrayList<>();
        long bytes = 0;
        int done = 0;
        for (int i : hosts) {
            boolean measured = done++ >= warm;
            SimAgent a = agents.get(i);
            var next = a.nextApplied();
            long start = System.nanoTime();
            BindResponse r = admin.call().bind(BindRequest.newBuilder().setHost(Fleet.host(i))
                    .setScope(Scope.SCOPE_WEBMAIL).setDomain(Fleet.domain(i, 0))
                    .setCertificate(Fleet.alternateCert(i)).build());
            long rpcDone = System.nanoTime();
            SimAgent.Applied u = next.get(10, TimeUnit.SECONDS);
            if (u.version() < r.getBinding().getRevision()) {
                throw new IllegalStateException(Fleet.host(i) + " acked version " + u.version()
                        + " older than the change at revision " + r.getBinding().getRevision());
            }
            Thread.sleep(10 + random.nextInt(16));
            // The transport's share: a small read-only RPC on the same channel, between changes.
            long readStart = System.nanoTime();
            admin.call().listAdminTokens(ListAdminTokensRequest.getDefaultInstance());
            long readDone = System.nanoTime();
            Thread.sleep(10 + random.nextInt(16));
            if (!measured) {
                continue;
            }
            ack.add(Stats.ms(u.ackNanos() - start));
            received.add(Stats.ms(u.receivedNanos() - start));
            firstPage.add(Stats.ms(u.firstPageNanos() - start));
            rpc.add(Stats.ms(rpcDone - start));
            afterRpc.add(Stats.ms(u.ackNanos() - rpcDone));
            readRpc.add(Stats.ms(readDone - readStart));
            bytes += u.bytes();
        }
        end();
        results.putStats("latency.ack", Stats.of(ack));
        results.putStats("latency.received", Stats.of(received));
        results.putStats("latency.bind_rpc", Stats.of(rpc));
        results.putStats("latency.rpc_return_to_ack", Stats.of(afterRpc));
        results.putStats("latency.read_rpc", Stats.of(readRpc));
        results.put("latency.delta_bytes_mean", bytes / (double) n);
        settle();
    }

    private void fanOut() throws Exception {
        log("fan-out: new version of " + Fleet.WILDCARD + ", used by all " + o.agents + " hosts");
        var request = fleet.wildcard(true);
        Map<Integer, SimAgent.Applied> got = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(o.agents);
        for (SimAgent a : agents) {
            a.listener(u -> {
                if (got.putIfAbsent(u.agent().index, u) == null) {
                    all.countDown();
                }
            });
        }
        long start = System.nanoTime();
        ImportCertificateResponse r = admin.call().importCertificate(request);
        long rpcDone = System.nanoTime();
        await(all, 120, "fan-out");
        long target = r.getCertificate().getRevision();
        long stale = got.values().stream().filter(u -> u.version() < target).count();
        if (stale > 0) {
            throw new IllegalStateException(stale + " agents acked a version older than the renewal " + target);
        }
        long last = got.values().stream().mapToLong(SimAgent.Applied::ackNanos).max().orElseThrow();
        results.put("fanout.rpc_ms", Stats.ms(rpcDone - start));
        results.put("fanout.all_acked_ms", Stats.ms(last - start));
        results.putStats("fanout.ack", Stats.of(got.values().stream().map(u -> Stats.ms(u.ackNanos() - start)).toList()));
        results.put("fanout.bytes_per_agent", got.values().stream().mapToLong(SimAgent.Applied::bytes).average()
                .orElse(0));
        clearListeners();
        // When the controller has recorded every Ack (one store write each), by polling ListHosts.
        long recorded = waitApplied(target, 120);
        results.put("fanout.controller_recorded_all_ms", Stats.ms(recorded - start));
        settle();
    }

    /**
     * Kills the controller with SIGKILL, starts it again on the same ports and waits until every
     * agent has reconnected, received what it lacks and acked.
     */
    private void restart(String prefix, boolean resume) throws Exception {
        log(prefix + ": SIGKILL and restart; agents " + (resume ? "resume with their applied state"
                : "send an empty Hello (full resend)"));
        for (SimAgent a : agents) {
            a.resume(resume);
        }
        long attemptsBefore = agents.stream().mapToLong(a -> a.attempts.get()).sum();
        long failedBefore = agents.stream().mapToLong(a -> a.failedAttempts.get()).sum();
        Map<Integer, SimAgent.Applied> got = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(o.agents);
        long[] killed = new long[1];
        for (SimAgent a : agents) {
            a.listener(u -> {
                if (u.helloNanos() > killed[0] && got.putIfAbsent(u.agent().index, u) == null) {
                    all.countDown();
                }
            });
        }
        awaitQuiet(prefix);
        SimAgent.ENDINGS.clear();
        admin.close();
        double benchCpu = Cpu.self();
        killed[0] = System.nanoTime();
        controller.kill();
        controller.start();
        results.put("cpu." + prefix + ".down.bench_s", Cpu.self() - benchCpu);
        admin = new Admin(Channels.tls(controller.port(), caPem), controller.adminToken());
        long healthy = controller.healthyNanos;
        begin(prefix);
        await(all, 180, prefix);
        end();
        clearListeners();
        StringBuilder endings = new StringBuilder();
        SimAgent.ENDINGS.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(4)
                .forEach(e -> endings.append(endings.length() == 0 ? "" : "; ").append(e.getValue().get()).append(" x ")
                        .append(e.getKey()));
        results.put(prefix + ".stream_endings", endings.toString());
        long last = got.values().stream().mapToLong(SimAgent.Applied::ackNanos).max().orElseThrow();
        long bytes = got.values().stream().mapToLong(SimAgent.Applied::bytes).sum();
        results.put(prefix + ".bytes_total", bytes);
        results.put(prefix + ".bytes_per_agent", bytes / (double) o.agents);
        results.put(prefix + ".controller_down_s", (healthy - killed[0]) / 1e9);
        results.put(prefix + ".all_synced_after_kill_s", (last - killed[0]) / 1e9);
        results.put(prefix + ".all_synced_after_healthy_s", (last - healthy) / 1e9);
        results.putStats(prefix + ".open_to_ack", Stats.of(got.values().stream()
                .map(u -> Stats.ms(u.ackNanos() - u.helloNanos())).toList()));
        results.put(prefix + ".attempts", agents.stream().mapToLong(a -> a.attempts.get()).sum() - attemptsBefore);
        results.put(prefix + ".failed_attempts",
                agents.stream().mapToLong(a -> a.failedAttempts.get()).sum() - failedBefore);
        // How spread out the successful reconnects were: Hellos per 250 ms after the controller was healthy.
        Map<Long, Integer> buckets = new TreeMap<>();
        for (SimAgent.Applied u : got.values()) {
            buckets.merge(Math.max(-1, Math.floorDiv(u.helloNanos() - healthy, 250_000_000L)), 1, Integer::sum);
        }
        results.put(prefix + ".max_hellos_per_250ms", buckets.values().stream().mapToInt(Integer::intValue).max()
                .orElse(0));
        StringBuilder seconds = new StringBuilder();
        Map<Long, Integer> perSecond = new TreeMap<>();
        buckets.forEach((b, c) -> perSecond.merge(Math.floorDiv(b, 4), c, Integer::sum));
        perSecond.forEach((s, c) -> seconds.append(seconds.length() == 0 ? "" : " ").append(s).append("s:").append(c));
        results.put(prefix + ".hellos_per_second_after_healthy", seconds.toString());
        settle();
    }

    private void disconnectAll() throws Exception {
        log("closing every agent's connection");
        for (SimAgent a : agents) {
            a.stop();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            long connected = admin.call().listHosts(ListHostsRequest.getDefaultInstance()).getHostsList().stream()
                    .filter(Host::getConnected).count();
            if (connected == 0) {
                settle();
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the controller still counts connected agents after 60 s");
    }

    private void heapFigures(String prefix, ControllerRunner.HeapSample none, ControllerRunner.HeapSample all) {
        results.put(prefix + ".live_bytes_no_streams", none.liveBytes());
        results.put(prefix + ".live_bytes_all_streams", all.liveBytes());
        results.put(prefix + ".per_stream_bytes", (all.liveBytes() - none.liveBytes()) / (double) o.agents);
        results.put(prefix + ".live_objects_per_stream", (all.liveObjects() - none.liveObjects()) / (double) o.agents);
        results.put(prefix + ".rss_per_stream_bytes", (all.rssBytes() - none.rssBytes()) / (double) o.agents);
    }

    // ---------------------------------------------------------------- helpers

    /** Waits (up to --quiet-wait) until other programs leave the machine idle, before a measurement. */
    private void awaitQuiet(String phase) throws InterruptedException {
        results.put("quiet." + phase + ".waited_s", Quiet.await(o.quietWaitSeconds, 0.3, this::log,
                () -> ProcessHandle.current().pid(), controller::pid));
    }

    /**
     * Starts accounting for a phase: wall time and CPU seconds of the controller and of this
     * process (the simulated agents); with --jfr also a JFR recording of the controller.
     */
    private void begin(String phase) throws Exception {
        this.phase = phase;
        phaseNanos = System.nanoTime();
        phaseControllerCpu = Cpu.seconds(controller.pid());
        phaseBenchCpu = Cpu.self();
        phaseMachineCpu = Cpu.machine();
        if (o.jfr) {
            controller.jcmd("JFR.start", "name=" + phase, "settings=profile",
                    "filename=" + o.work.resolve("controller-" + phase + ".jfr").toAbsolutePath());
        }
    }

    private void end() throws Exception {
        if (o.jfr) {
            controller.jcmd("JFR.stop", "name=" + phase);
        }
        double wall = (System.nanoTime() - phaseNanos) / 1e9;
        double controllerCpu = Cpu.seconds(controller.pid()) - phaseControllerCpu;
        double benchCpu = Cpu.self() - phaseBenchCpu;
        results.put("cpu." + phase + ".wall_s", wall);
        results.put("cpu." + phase + ".controller_s", controllerCpu);
        results.put("cpu." + phase + ".bench_s", benchCpu);
        // What everything else on the machine used meanwhile (other people's builds, etcd, ...).
        results.put("cpu." + phase + ".others_s", Cpu.machine() - phaseMachineCpu - controllerCpu - benchCpu);
    }

    private String phase;
    private long phaseNanos;
    private double phaseControllerCpu;
    private double phaseBenchCpu;
    private double phaseMachineCpu;

    /** Polls ListHosts until every host's recorded applied version reaches the target; returns when. */
    private long waitApplied(long target, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            List<Host> hosts = admin.call().listHosts(ListHostsRequest.getDefaultInstance()).getHostsList();
            long now = System.nanoTime();
            if (hosts.stream().allMatch(h -> h.getAppliedVersion() >= target)) {
                return now;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the controller did not record every Ack within " + seconds + " s");
    }

    /** Lets the controller finish writing Acks before the next measurement. */
    private void settle() throws InterruptedException {
        Thread.sleep(1000);
    }

    private void clearListeners() {
        for (SimAgent a : agents) {
            a.listener(null);
        }
    }

    private static void await(CountDownLatch latch, int seconds, String what) throws InterruptedException {
        if (!latch.await(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(what + ": " + latch.getCount() + " agents not done after " + seconds + " s");
        }
    }

    @FunctionalInterface
    private interface IndexTask {
        Void run(int i) throws Exception;
    }

    /** Runs the task for host indexes 0..n-1 on a few threads, so minting and RPCs overlap the store writes. */
    private static void parallel(int n, int threads, IndexTask task) throws Exception {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        parallel(all, threads, task);
    }

    private static void parallel(List<Integer> indexes, int threads, IndexTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> fs = new ArrayList<>();
            for (int i : indexes) {
                fs.add(pool.submit((Callable<Void>) () -> task.run(i)));
            }
            for (Future<Void> f : fs) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void cleanUp() {
        for (SimAgent a : agents) {
            a.stop();
        }
        scheduler.shutdownNow();
        if (admin != null) {
            admin.close();
        }
        try {
            if (controller != null) {
                controller.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void log(String message) {
        System.err.printf(Locale.ROOT, "[%7.1f s] %s%n", (System.nanoTime() - t0) / 1e9, message);
    }

    /** Command-line options. */
    static final class Options {
        int agents = 1000;
        int domains = 2;
        int changes = 500;
        int warmup = 100;
        long seed = System.currentTimeMillis();
        long startJitterMillis = 2000;
        Backoff backoff = new Backoff(1000, 250, 8000);
        Path work;
        Path out;
        Path controllerJar = Path.of("controller", "target", "mailcert-controller.jar");
        List<String> controllerJvm = List.of("-Xms256m", "-Xmx1g");
        boolean jfr;
        int timeoutMinutes = 20;
        long quietWaitSeconds = 600;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--agents" -> { o.agents = Integer.parseInt(v); i++; }
                    case "--domains" -> { o.domains = Integer.parseInt(v); i++; }
                    case "--changes" -> { o.changes = Integer.parseInt(v); i++; }
                    case "--warmup" -> { o.warmup = Integer.parseInt(v); i++; }
                    case "--seed" -> { o.seed = Long.parseLong(v); i++; }
                    case "--start-jitter-ms" -> { o.startJitterMillis = Long.parseLong(v); i++; }
                    case "--work" -> { o.work = Path.of(v); i++; }
                    case "--out" -> { o.out = Path.of(v); i++; }
                    case "--controller-jar" -> { o.controllerJar = Path.of(v); i++; }
                    case "--controller-jvm" -> { o.controllerJvm = List.of(v.trim().split("\\s+")); i++; }
                    case "--timeout-minutes" -> { o.timeoutMinutes = Integer.parseInt(v); i++; }
                    case "--quiet-wait" -> { o.quietWaitSeconds = Long.parseLong(v); i++; }
                    case "--jfr" -> o.jfr = true;
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + "; options: --agents N --domains N --changes N --warmup N --seed N --start-jitter-ms MS --work DIR"
                            + " --out FILE --controller-jar JAR --controller-jvm 'ARGS' --timeout-minutes N --quiet-wait S --jfr");
                }
            }
            if (o.work == null) {
                o.work = Path.of(System.getProperty("java.io.tmpdir"), "mailcert-sync-bench-" + ProcessHandle.current().pid());
            }
            if (o.out == null) {
                o.out = o.work.resolve("mailcert.properties");
            }
            if (!Files.isRegularFile(o.controllerJar)) {
                throw new IllegalArgumentException(o.controllerJar + " is missing: build the controller first");
            }
            return o;
        }
    }
}
