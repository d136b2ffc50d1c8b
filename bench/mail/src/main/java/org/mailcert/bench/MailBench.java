package org.mailcert.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.testing.DovecotInstance;
import org.mailcert.agent.testing.PostfixInstance;
import org.mailcert.common.pki.Pem;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.Host;
import org.mailcert.proto.v1.ImportCertificateResponse;

/**
 * The mail-target benchmark of issue 4: one host with N mail domains (default 5,000), a real
 * controller process, a real Postfix and Dovecot instance (the agent's IT harnesses) and the real
 * agent process with {@code --target postfix,dovecot} (or {@code postfix} alone with {@code --targets
 * postfix}: Dovecot then runs unmanaged and its phases are skipped), all on 127.0.0.1. Phases, in order:
 * <ol>
 *   <li>setup (not counted): N certificates and a server certificate imported, SERVER + N MAIL
 *       bindings, the agent enrolled;</li>
 *   <li>full apply: agent start until the controller records applied == desired, and until a sample
 *       of names (and no SNI) is proven served by Postfix SMTPS and Dovecot IMAPS;</li>
 *   <li>agent heap: live heap after a full GC, committed heap, RSS;</li>
 *   <li>Dovecot's first connection after {@code doveadm reload}, against the second;</li>
 *   <li>one-domain changes: ImportCertificate(new_version) RPC start until the new leaf of
 *       {@code mail.<domain>} is served by both Postfix SMTPS and Dovecot IMAPS (with {@code --bundle
 *       K}, the new version is of the domain's bundle, so K domains change at once);</li>
 *   <li>drift cycles (issue 5, {@link DriftBench}): N drift cycles in this process over the fully
 *       applied host, then one after tampering, with the agent stopped.</li>
 * </ol>
 * CPU of the controller, the agent, the agent's commands, Postfix and Dovecot is recorded per phase.
 * Figures go to stderr and to a properties file that {@link MailReport} turns into a table.
 */
public final class MailBench {
    private static final Pattern APPLIED = Pattern.compile("applied version (\\d+)");

    private final Options o;
    private final Results results = new Results();
    private final MailHost mail;
    private final Random random;
    private final long t0 = System.nanoTime();
    private final SocketTlsProbe probe = new SocketTlsProbe(Duration.ofSeconds(3), Duration.ofSeconds(60));
    private final String[] served;
    private ControllerRunner controller;
    private Admin admin;
    private PostfixInstance postfix;
    private DovecotInstance dovecot;
    private AgentRunner agent;
    private Endpoint smtps;
    private Endpoint imaps;
    private String serverSha;
    private String phase;
    private long phaseStart;
    private double[] phaseCpu;

    private MailBench(Options o) {
        this.o = o;
        this.mail = new MailHost(o.domains, o.bundle);
        this.random = new Random(o.seed);
        this.served = new String[o.domains];
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("logback.configurationFile", "bench-logback.xml");
        Options o = Options.parse(args);
        long limitMinutes = o.timeoutMinutes + 4 * o.quietWaitSeconds / 60;
        MailBench bench = new MailBench(o);
        BenchRuns.main("mail bench", limitMinutes, bench::run, bench::cleanUp);
    }

    private void run() throws Exception {
        Files.createDirectories(o.work);
        Path roots = o.work.resolve("roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(mail.pki.root())));
        controller = new ControllerRunner(o.controllerJar, o.work.resolve("controller"), roots,
                o.work.resolve("controller.log"), o.controllerJvm);
        log("starting the controller, Postfix and Dovecot");
        controller.start();
        admin = new Admin(Channels.tls(controller.port(), Files.readAllBytes(controller.caPem())),
                controller.adminToken());
        postfix = PostfixInstance.start(o.work.resolve("postfix"));
        dovecot = DovecotInstance.start(o.work.resolve("dovecot"));
        if (!o.dovecotVszLimit.isEmpty()) {
            // An admin's setting made before mailcert. Without it the agent raises vsz_limit itself
            // (a reload of the old include with the raised limit first, then the large one).
            dovecot.writeConfFile("50-bench-vsz.conf", "service config {\n  vsz_limit = " + o.dovecotVszLimit + "\n}\n");
            command("doveadm", "-c", dovecot.config().toString(), "reload");
        }
        smtps = postfix.endpoints().stream().filter(e -> e.service().equals("smtps")).findFirst().orElseThrow();
        imaps = dovecot.endpoints().stream().filter(e -> e.service().equals("imaps")).findFirst().orElseThrow();
        Path agentLog = o.out.toAbsolutePath().resolveSibling("agent.log");
        Files.deleteIfExists(agentLog);
        agent = new AgentRunner(o.agentJar, o.work.resolve("agent"), agentLog, o.agentJvm);

        results.put("run.started", Instant.now().toString());
        results.put("run.seed", o.seed);
        results.put("run.domains", o.domains);
        results.put("run.domains_per_certificate", o.bundle);
        results.put("run.changes", o.changes);
        results.put("run.targets", String.join(",", o.targets));
        results.put("run.controller_jvm", String.join(" ", o.controllerJvm));
        results.put("run.agent_jvm", o.agentJvm.isEmpty() ? "(JVM defaults)" : String.join(" ", o.agentJvm));
        results.put("run.postfix", postfix.postconf("-h", "mail_version").strip());
        results.put("run.dovecot", command("dovecot", "--version"));
        results.put("run.dovecot_vsz_limit_before_agent", o.dovecotVszLimit.isEmpty() ? "256M (default)" : o.dovecotVszLimit);

        setUp();
        awaitQuiet("full apply");
        fullApply();
        settle(2000);
        AgentRunner.Heap heap = agent.heap(3);
        results.put("heap.agent.live_bytes", heap.liveBytes());
        results.put("heap.agent.live_objects", heap.liveObjects());
        results.put("heap.agent.committed_bytes", heap.committedBytes());
        results.put("heap.agent.rss_bytes", heap.rssBytes());
        results.put("heap.controller.rss_bytes", AgentRunner.rss(controller.pid()));
        if (o.managesDovecot()) {
            awaitQuiet("dovecot reload");
            dovecotReload();
        }
        awaitQuiet("one-domain changes");
        changes();
        if (o.driftCycles > 0) {
            awaitAgentIdle();
            awaitQuiet("drift");
            drift();
        }
        agentTimings();
        results.put("run.seconds", (System.nanoTime() - t0) / 1e9);
        results.write(o.out);
        log("results written to " + o.out);
    }

    // ---------------------------------------------------------------- setup (not counted)

    private void setUp() throws Exception {
        long start = System.nanoTime();
        String token = admin.call().createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(MailHost.HOST)
                .setTtlSeconds(3600).build()).getToken();
        MailHost.Issued server = mail.serverCertificate();
        admin.call().importCertificate(server.request());
        serverSha = server.leafSha256();
        admin.call().bind(MailHost.serverBinding());
        log("setup: importing the certificates of " + o.domains + " domains (" + o.bundle
                + " to a certificate) and binding them (not counted)");
        parallel(o.domains, 4, i -> {
            if (mail.sharing(i).findFirst().getAsInt() == i) {
                MailHost.Issued c = mail.domainCertificate(i, false);
                admin.call().importCertificate(c.request());
                mail.sharing(i).forEach(j -> served[j] = c.leafSha256());
            }
            return null;
        });
        results.put("setup.import_seconds", (System.nanoTime() - start) / 1e9);
        long binding = System.nanoTime();
        parallel(o.domains, 4, i -> {
            admin.call().bind(mail.mailBinding(i));
            return null;
        });
        results.put("setup.bind_seconds", (System.nanoTime() - binding) / 1e9);
        agent.enroll(controller.port(), token);
        results.put("setup.seconds", (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------- full apply

    private void fullApply() throws Exception {
        long desired = host().getDesiredVersion();
        log("full apply: starting the agent (desired version " + desired + ", " + (o.domains + 1) + " bindings)");
        begin("apply");
        long start = System.nanoTime();
        agent.start(o.agentRunArgs(postfix.configDir(), dovecot.config()));
        long appliedAt = awaitApplied(desired, TimeUnit.MINUTES.toNanos(o.applyTimeoutMinutes));
        results.put("apply.applied_s", (appliedAt - start) / 1e9);
        // A sample of names on both servers, and the server-wide certificate without SNI.
        List<Integer> sample = sample(Math.min(o.sample, o.domains));
        List<String> misses = new ArrayList<>();
        for (Endpoint e : o.managesDovecot() ? List.of(smtps, imaps) : List.of(smtps)) {
            check(e, Optional.empty(), serverSha, misses);
            for (int i : sample) {
                check(e, Optional.of(MailHost.mailName(i)), served[i], misses);
            }
            check(e, Optional.of("unknown.example.org"), serverSha, misses);
        }
        long servedAt = System.nanoTime();
        end();
        if (!misses.isEmpty()) {
            throw new IllegalStateException(misses.size() + " sampled names not served as bound, first: " + misses.get(0));
        }
        results.put("apply.sampled_names", sample.size());
        results.put("apply.served_s", (servedAt - start) / 1e9);
        results.put("apply.sample_probe_s", (servedAt - appliedAt) / 1e9);
    }

    private void check(Endpoint e, Optional<String> sni, String expected, List<String> misses) {
        String got = served(e, sni);
        if (!expected.equals(got)) {
            misses.add(e.service() + " " + sni.orElse("(no SNI)") + ": " + got);
        }
    }

    // ---------------------------------------------------------------- Dovecot reload

    /**
     * {@code doveadm reload}, then one IMAPS handshake (a random name), a second (another name) and
     * a third without SNI, each timed; repeated {@code o.reloads} times with pauses between.
     */
    private void dovecotReload() throws Exception {
        log("dovecot: first connection after doveadm reload with " + o.domains + " names, " + o.reloads + " times");
        begin("reload");
        List<Double> reload = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        List<Double> second = new ArrayList<>();
        List<Double> noSni = new ArrayList<>();
        for (int r = 0; r < o.reloads; r++) {
            int a = random.nextInt(o.domains);
            int b = random.nextInt(o.domains);
            long start = System.nanoTime();
            command("doveadm", "-c", dovecot.config().toString(), "reload");
            long reloaded = System.nanoTime();
            reload.add(Stats.ms(reloaded - start));
            first.add(timedProbe(imaps, MailHost.mailName(a), served[a]));
            second.add(timedProbe(imaps, MailHost.mailName(b), served[b]));
            noSni.add(timedProbe(imaps, null, serverSha));
            settle(3000);
        }
        end();
        results.putStats("reload.doveadm", Stats.of(reload));
        results.putStats("reload.first_handshake", Stats.of(first));
        results.putStats("reload.second_handshake", Stats.of(second));
        results.putStats("reload.no_sni_handshake", Stats.of(noSni));
        // The same handshakes without a reload before them: what a warm Dovecot costs.
        List<Double> warm = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            int a = random.nextInt(o.domains);
            warm.add(timedProbe(imaps, MailHost.mailName(a), served[a]));
        }
        results.putStats("reload.warm_handshake", Stats.of(warm));
        // Postfix for comparison: a handshake after `postfix reload`.
        List<Double> pf = new ArrayList<>();
        for (int r = 0; r < o.reloads; r++) {
            int a = random.nextInt(o.domains);
            command("postfix", "-c", postfix.configDir().toString(), "reload");
            pf.add(timedProbe(smtps, MailHost.mailName(a), served[a]));
            settle(1000);
        }
        results.putStats("reload.postfix_first_handshake", Stats.of(pf));
    }

    private double timedProbe(Endpoint e, String sni, String expected) {
        long start = System.nanoTime();
        String got = served(e, Optional.ofNullable(sni));
        double ms = Stats.ms(System.nanoTime() - start);
        if (!expected.equals(got)) {
            throw new IllegalStateException(e.service() + " " + sni + ": expected " + expected + ", got " + got);
        }
        return ms;
    }

    // ---------------------------------------------------------------- one-domain changes

    private void changes() throws Exception {
        int n = Math.min(o.changes, o.domains);
        List<Integer> domains = sample(n);
        log("one-domain changes: " + n + " renewals of random domains, one at a time");
        ExecutorService pool = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "change-watch");
            t.setDaemon(true);
            return t;
        });
        List<Double> both = new ArrayList<>();
        List<Double> pf = new ArrayList<>();
        List<Double> dc = new ArrayList<>();
        List<Double> rpc = new ArrayList<>();
        List<Double> applied = new ArrayList<>();
        List<Double> rpcToApplied = new ArrayList<>();
        try {
            begin("changes");
            for (int i : domains) {
                MailHost.Issued renewed = mail.domainCertificate(i, true);
                awaitApplied(host().getDesiredVersion(), TimeUnit.MINUTES.toNanos(2));
                settle(o.changePauseMillis);
                AtomicLong revision = new AtomicLong(Long.MAX_VALUE);
                long start = System.nanoTime();
                Future<Long> onPostfix = pool.submit(() -> awaitServed(smtps, MailHost.mailName(i), renewed.leafSha256()));
                Future<Long> onDovecot = o.managesDovecot()
                        ? pool.submit(() -> awaitServed(imaps, MailHost.mailName(i), renewed.leafSha256())) : null;
                Future<Long> recorded = pool.submit(() -> awaitRecorded(revision));
                ImportCertificateResponse r = admin.call().importCertificate(renewed.request());
                long rpcDone = System.nanoTime();
                revision.set(r.getCertificate().getRevision());
                long p = onPostfix.get(3, TimeUnit.MINUTES);
                long d = onDovecot == null ? p : onDovecot.get(3, TimeUnit.MINUTES);
                long a = recorded.get(3, TimeUnit.MINUTES);
                mail.sharing(i).forEach(j -> served[j] = renewed.leafSha256());
                rpc.add(Stats.ms(rpcDone - start));
                pf.add(Stats.ms(p - start));
                if (onDovecot != null) {
                    dc.add(Stats.ms(d - start));
                }
                both.add(Stats.ms(Math.max(p, d) - start));
                applied.add(Stats.ms(a - start));
                rpcToApplied.add(Stats.ms(a - rpcDone));
                System.err.printf(Locale.ROOT, "  change %s: rpc %.0f ms, postfix %.0f ms, dovecot %.0f ms,"
                        + " applied recorded %.0f ms%n", MailHost.domain(i), rpc.get(rpc.size() - 1),
                        pf.get(pf.size() - 1), Stats.ms(d - start), applied.get(applied.size() - 1));
            }
            end();
        } finally {
            pool.shutdownNow();
        }
        results.putStats("change.both", Stats.of(both));
        results.put("change.both.p95_ms", Stats.of(both).percentile(95));
        results.putStats("change.postfix", Stats.of(pf));
        results.put("change.postfix.p95_ms", Stats.of(pf).percentile(95));
        results.putStats("change.dovecot", Stats.of(dc));
        results.put("change.dovecot.p95_ms", Stats.of(dc).percentile(95));
        results.putStats("change.import_rpc", Stats.of(rpc));
        results.putStats("change.applied_recorded", Stats.of(applied));
        results.putStats("change.rpc_return_to_applied_recorded", Stats.of(rpcToApplied));
    }

    /** Probes until the endpoint serves the leaf for the name; returns System.nanoTime() then. */
    private long awaitServed(Endpoint e, String name, String sha) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (sha.equals(served(e, Optional.of(name)))) {
                return System.nanoTime();
            }
            Thread.sleep(o.probeIntervalMillis);
        }
        throw new IllegalStateException(e.service() + " did not serve the new leaf of " + name + " within 3 min");
    }

    /** Polls GetHost until the controller has recorded an applied version at least the revision. */
    private long awaitRecorded(AtomicLong revision) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            long want = revision.get();
            if (want != Long.MAX_VALUE && host().getAppliedVersion() >= want) {
                return System.nanoTime();
            }
            // GetHost of a host with 5,000 bindings costs the controller about 12 ms of CPU: polled
            // every 20 ms it took 0.6 of a core from the agent and Dovecot during the changes.
            Thread.sleep(250);
        }
        throw new IllegalStateException("the controller did not record the change as applied within 3 min");
    }

    // ---------------------------------------------------------------- drift cycles

    /**
     * {@code o.driftCycles} drift cycles over the applied host (the agent running but idle), then,
     * with the agent stopped so that nothing repairs it meanwhile, one after tampering and one after
     * restoring ({@link DriftBench}).
     */
    private void drift() throws Exception {
        awaitApplied(host().getDesiredVersion(), TimeUnit.MINUTES.toNanos(2));
        List<Binding> desired = appliedAsBound();
        DriftBench.Agent setup = new DriftBench.Agent(agent.dataDir(), postfix.configDir(),
                o.managesDovecot() ? Optional.of(dovecot.config()) : Optional.empty());
        DriftBench drift = new DriftBench(new DriftBench.Settings(o.driftCycles, o.driftBudget, o.driftParallel,
                Duration.ofSeconds(o.driftDeadlineSeconds)), setup, desired, List.of(mail.pki.root()), results, this::log);
        drift.discover();
        log("drift: " + o.driftCycles + " cycles over " + desired.size() + " bindings, at most " + o.driftBudget
                + " handshakes each, " + o.driftParallel + " at once");
        begin("drift");
        drift.cleanCycles();
        end();
        agent.stop();
        drift.tamperedCycle();
    }

    /**
     * Waits (up to 3 minutes) until the agent uses under a tenth of a core: its own drift cycle after
     * the last apply would otherwise run beside the measured ones.
     */
    private void awaitAgentIdle() throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.MINUTES.toNanos(3)) {
            double before = TreeCpu.self(agent.pid());
            Thread.sleep(2000);
            double cores = (TreeCpu.self(agent.pid()) - before) / 2;
            if (cores < 0.1) {
                break;
            }
            log(String.format(Locale.ROOT, "drift: waiting for the agent to be idle (it uses %.2f cores)", cores));
        }
        results.put("drift.agent_idle_wait_s", (System.nanoTime() - start) / 1e9);
    }

    /**
     * The agent's applied state as bindings, once it holds exactly what this benchmark bound (the
     * state file is written before the Ack the controller records; polled briefly all the same).
     */
    private List<Binding> appliedAsBound() throws Exception {
        Map<String, String> bound = new HashMap<>();
        bound.put("server", serverSha);
        for (int i = 0; i < o.domains; i++) {
            bound.put("mail/" + MailHost.domain(i), served[i]);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<Binding> desired = DriftBench.applied(agent.dataDir());
            Map<String, String> applied = new HashMap<>();
            desired.forEach(b -> applied.put(b.id(), b.leafSha256()));
            if (applied.equals(bound)) {
                return desired;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent's applied state (" + applied.size()
                        + " bindings) is not what was bound (" + bound.size() + ")");
            }
            Thread.sleep(500);
        }
    }

    // ---------------------------------------------------------------- agent's own timings

    /** Copies the agent's own per-apply log lines (what each target reports it spent) into the results. */
    private void agentTimings() throws IOException {
        int n = 0;
        for (String line : Files.readAllLines(agent.log(), StandardCharsets.UTF_8)) {
            if ((line.contains("postfix target: switched") || line.contains("dovecot: ") && line.contains(" ms"))
                    || APPLIED.matcher(line).find()) {
                results.put(String.format(Locale.ROOT, "agent.log.%03d", n++), line.strip());
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private String served(Endpoint e, Optional<String> sni) {
        try {
            return probe.probe(e, sni).leafSha256();
        } catch (ProbeException x) {
            return "no handshake: " + x.getMessage();
        }
    }

    private Host host() {
        return admin.call().getHost(GetHostRequest.newBuilder().setHost(MailHost.HOST).build()).getHost();
    }

    private long awaitApplied(long desired, long timeoutNanos) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            if (!agent.alive()) {
                throw new IllegalStateException("the agent exited; see " + agent.log());
            }
            Host h = host();
            if (h.getConnected() && h.getAppliedVersion() >= desired && h.getAppliedVersion() == h.getDesiredVersion()) {
                return System.nanoTime();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the agent did not apply version " + desired + " in time; see " + agent.log());
    }

    private List<Integer> sample(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < o.domains; i++) {
            all.add(i);
        }
        Collections.shuffle(all, random);
        return List.copyOf(all.subList(0, n));
    }

    private void settle(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    private void awaitQuiet(String what) throws InterruptedException {
        List<java.util.function.LongSupplier> own = new ArrayList<>(List.of(controller::pid,
                () -> ProcessHandle.current().pid()));
        if (agent.alive()) {
            own.add(agent::pid);
        }
        double waited = Quiet.await(o.quietWaitSeconds, 0.3, this::log,
                own.toArray(java.util.function.LongSupplier[]::new));
        if (waited > 0) {
            results.put("quiet." + what.replace(' ', '_') + "_waited_s", waited);
        }
    }

    /** Starts a measured phase: CPU of each participant is taken now and at {@link #end()}. */
    private void begin(String name) {
        phase = name;
        phaseStart = System.nanoTime();
        phaseCpu = cpuNow();
    }

    private void end() {
        double wall = (System.nanoTime() - phaseStart) / 1e9;
        double[] now = cpuNow();
        String[] parts = {"controller", "agent", "agent_commands", "postfix", "dovecot", "bench", "machine"};
        results.put("cpu." + phase + ".wall_s", wall);
        double ours = 0;
        for (int i = 0; i < parts.length; i++) {
            double used = now[i] - phaseCpu[i];
            results.put("cpu." + phase + "." + parts[i] + "_s", used);
            if (i < parts.length - 1 && !Double.isNaN(used)) {
                ours += used;
            }
        }
        results.put("cpu." + phase + ".others_s", now[parts.length - 1] - phaseCpu[parts.length - 1] - ours);
    }

    private double[] cpuNow() {
        long agentPid = agent != null && agent.alive() ? agent.pid() : -1;
        return new double[] {
            Cpu.seconds(controller.pid()),
            agentPid < 0 ? 0 : TreeCpu.self(agentPid),
            agentPid < 0 ? 0 : TreeCpu.children(agentPid),
            masterTree(() -> postfix.dir().resolve("queue/pid/master.pid")),
            masterTree(() -> dovecot.config().getParent().getParent().resolve("run/master.pid")),
            Cpu.self(),
            Cpu.machine()};
    }

    private static double masterTree(Callable<Path> pidFile) {
        try {
            return TreeCpu.tree(Long.parseLong(Files.readString(pidFile.call(), StandardCharsets.US_ASCII).strip()));
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private String command(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(o.work, "cmd", ".out");
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", args) + " failed: " + Files.readString(out));
            }
            return Files.readString(out).strip();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private interface Task {
        Object run(int i) throws Exception;
    }

    private static void parallel(int n, int threads, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<Object>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return task.run(k);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (CompletableFuture<Object> f : all) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void log(String message) {
        System.err.printf(Locale.ROOT, "[%7.1f s] %s%n", (System.nanoTime() - t0) / 1e9, message);
    }

    /** Stops everything this process started: the agent, the controller, Dovecot and Postfix. */
    private void cleanUp() {
        try {
            if (agent != null) {
                agent.stop();
            }
        } catch (Exception e) {
            System.err.println("stopping the agent: " + e);
        }
        if (admin != null) {
            admin.close();
        }
        try {
            if (controller != null) {
                controller.stop();
            }
        } catch (Exception e) {
            System.err.println("stopping the controller: " + e);
        }
        for (AutoCloseable server : new AutoCloseable[] {dovecot, postfix}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                System.err.println("stopping " + server + ": " + e);
            }
        }
    }

    static final class Options {
        int domains = 5000;
        int bundle = 1;
        int changes = 20;
        int sample = 50;
        int reloads = 3;
        long seed = System.currentTimeMillis();
        long changePauseMillis = 1000;
        long probeIntervalMillis = 10;
        Path work;
        Path out;
        Path controllerJar = Path.of("controller", "target", "mailcert-controller.jar");
        Path agentJar = Path.of("agent", "target", "mailcert-agent.jar");
        List<String> controllerJvm = List.of("-Xms256m", "-Xmx1g");
        List<String> agentJvm = List.of();
        List<String> agentExtra = List.of();
        int timeoutMinutes = 40;
        int applyTimeoutMinutes = 10;
        long quietWaitSeconds = 600;
        String dovecotVszLimit = "";
        /** The agent's --target: postfix,dovecot, or postfix alone (Dovecot then runs but is not the agent's). */
        List<String> targets = List.of("postfix", "dovecot");
        // The agent's defaults: --drift-probes 64, RunCommand.DRIFT_PROBES_AT_ONCE, DRIFT_PROBE_DEADLINE.
        int driftCycles = 5;
        int driftBudget = 64;
        int driftParallel = 8;
        long driftDeadlineSeconds = 8;

        String[] agentRunArgs(Path postfixConfigDir, Path dovecotConfig) {
            // The benchmark's certificates come from its own test root: the agent's drift checks trust it,
            // as an admin with an internal CA would configure, so a clean host reports no Untrusted items.
            List<String> a = new ArrayList<>(List.of("--target", String.join(",", targets),
                    "--postfix-config-dir", postfixConfigDir.toString(), "--dovecot-config", dovecotConfig.toString(),
                    "--extra-roots", work.resolve("roots.pem").toString()));
            a.addAll(agentExtra);
            return a.toArray(String[]::new);
        }

        boolean managesDovecot() {
            return targets.contains("dovecot");
        }

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--domains" -> { o.domains = Integer.parseInt(v); i++; }
                    case "--bundle" -> { o.bundle = Integer.parseInt(v); i++; }
                    case "--changes" -> { o.changes = Integer.parseInt(v); i++; }
                    case "--sample" -> { o.sample = Integer.parseInt(v); i++; }
                    case "--reloads" -> { o.reloads = Integer.parseInt(v); i++; }
                    case "--seed" -> { o.seed = Long.parseLong(v); i++; }
                    case "--work" -> { o.work = Path.of(v); i++; }
                    case "--out" -> { o.out = Path.of(v); i++; }
                    case "--controller-jar" -> { o.controllerJar = Path.of(v); i++; }
                    case "--agent-jar" -> { o.agentJar = Path.of(v); i++; }
                    case "--controller-jvm" -> { o.controllerJvm = words(v); i++; }
                    case "--agent-jvm" -> { o.agentJvm = words(v); i++; }
                    case "--agent-args" -> { o.agentExtra = words(v); i++; }
                    case "--timeout-minutes" -> { o.timeoutMinutes = Integer.parseInt(v); i++; }
                    case "--quiet-wait" -> { o.quietWaitSeconds = Long.parseLong(v); i++; }
                    case "--dovecot-vsz-limit" -> { o.dovecotVszLimit = v; i++; }
                    case "--targets" -> { o.targets = words(v.replace(',', ' ')); i++; }
                    case "--drift-cycles" -> { o.driftCycles = Integer.parseInt(v); i++; }
                    case "--drift-budget" -> { o.driftBudget = Integer.parseInt(v); i++; }
                    case "--drift-parallel" -> { o.driftParallel = Integer.parseInt(v); i++; }
                    case "--drift-deadline" -> { o.driftDeadlineSeconds = Long.parseLong(v); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + "; options: --domains N --bundle K --changes N --sample N --reloads N --seed N --work DIR --out FILE"
                            + " --controller-jar JAR --agent-jar JAR --controller-jvm 'ARGS' --agent-jvm 'ARGS'"
                            + " --agent-args 'ARGS' --timeout-minutes N --quiet-wait S --dovecot-vsz-limit SIZE|''"
                            + " --targets postfix[,dovecot] --drift-cycles N --drift-budget N --drift-parallel N --drift-deadline SECONDS");
                }
            }
            if (o.work == null) {
                o.work = Path.of(System.getProperty("java.io.tmpdir"), "mailcert-mail-bench-" + ProcessHandle.current().pid());
            }
            if (o.out == null) {
                o.out = o.work.resolve("mail.properties");
            }
            if (!o.targets.equals(List.of("postfix", "dovecot")) && !o.targets.equals(List.of("postfix"))) {
                throw new IllegalArgumentException("--targets must be postfix,dovecot or postfix, not " + o.targets);
            }
            for (Path jar : List.of(o.controllerJar, o.agentJar)) {
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalArgumentException(jar + " is missing: build the controller and the agent first");
                }
            }
            return o;
        }

        private static List<String> words(String v) {
            return v == null || v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
        }
    }
}
