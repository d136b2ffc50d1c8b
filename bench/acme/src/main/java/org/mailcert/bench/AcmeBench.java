package org.mailcert.bench;

import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.mailcert.controller.cli.BearerToken;
import org.mailcert.controller.testing.BindInstance;
import org.mailcert.controller.testing.PebbleInstance;
import org.mailcert.proto.v1.AdminServiceGrpc;
import org.mailcert.proto.v1.RequestCertificateRequest;
import org.mailcert.proto.v1.RequestCertificateResponse;

/**
 * The ACME issuance benchmark of issue 6: N certificates (default 100), each for a wildcard and its
 * apex, from one Debian Pebble ({@code PEBBLE_VA_NOSLEEP=1}, {@code PEBBLE_VA_ALWAYS_VALID=1})
 * whose DNS is a real BIND 9 updated by RFC 2136 with a TSIG key, all on 127.0.0.1. Phases, in order:
 * <ol>
 *   <li>mailcert: one controller process with {@code --acme-dns-server} at the BIND, one issuer
 *       added with {@code mailcert issuer add ... --dns rfc2136} (not timed), a warm-up (not
 *       counted), then N {@code RequestCertificate} RPCs one at a time, and N more with
 *       {@code --concurrency} clients at once. The controller is stopped afterwards.</li>
 *   <li>certbot: {@code certbot register} once per config directory (not timed), a warm-up (not
 *       counted), then N {@code certbot certonly --dns-rfc2136} processes one after the other, and N
 *       more with {@code --concurrency} workers, each with its own config, work and logs dirs.</li>
 * </ol>
 * Every certificate has its own name ({@code *.<label>.acme.delegate.test} and
 * {@code <label>.acme.delegate.test}, the label naming the side, the phase, the run and the
 * index), so no order or authorization is reused. Any failure fails the run. Figures go to stderr
 * and a properties file that {@link AcmeReport} turns into a table.
 */
public final class AcmeBench {
    /**
     * The zone whose names the fixture's TSIG key may update anywhere below: BindInstance grants
     * {@code subdomain acme.delegate.test. TXT}, while in {@code example.test} it grants only
     * {@code _acme-challenge.example.test} and {@code _acme-challenge.mail.example.test}.
     */
    static final String ZONE = "acme.delegate.test";
    private static final String ISSUER = "pebble";

    private final Options o;
    private final Results results = new Results();
    private final long t0 = System.nanoTime();
    private BindInstance bind;
    private PebbleInstance pebble;
    private ControllerRunner controller;
    private ManagedChannel channel;

    private AcmeBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("logback.configurationFile", "bench-logback.xml");
        Options o = Options.parse(args);
        AcmeBench bench = new AcmeBench(o);
        BenchRuns.main("acme bench", o.timeoutMinutes + 4 * o.quietWaitSeconds / 60, bench::run, bench::cleanUp);
    }

    private void run() throws Exception {
        Files.createDirectories(o.work);
        log("starting BIND 9 and Pebble on 127.0.0.1");
        bind = BindInstance.start(o.work.resolve("bind"));
        pebble = PebbleInstance.start(Map.of(), Optional.of(bind.address()),
                Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_VA_ALWAYS_VALID", "1"));
        if (!pebble.pebbleLog().contains("VA always returns valid")) {
            throw new IllegalStateException("Pebble did not take PEBBLE_VA_ALWAYS_VALID=1:\n" + pebble.pebbleLog());
        }
        Path tlsCa = o.work.resolve("pebble-tls-ca.pem");
        Files.writeString(tlsCa, pebble.tlsCaPem(), StandardCharsets.US_ASCII);

        results.put("run.started", Instant.now().toString());
        results.put("run.index", o.run);
        results.put("run.count", o.count);
        results.put("run.concurrency", o.concurrency);
        results.put("run.warmup", o.warmup);
        results.put("run.names", "*.<label>." + ZONE + ", <label>." + ZONE);
        results.put("run.pebble_environment", "PEBBLE_VA_NOSLEEP=1 PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_WFE_NONCEREJECT=0"
                + " PEBBLE_AUTHZREUSE=0");
        results.put("run.controller_jvm", String.join(" ", o.controllerJvm));
        results.put("run.java", System.getProperty("java.vm.version"));

        if (o.sides.contains("mailcert")) {
            mailcert(tlsCa);
        }
        if (o.sides.contains("certbot")) {
            certbot(tlsCa);
        }
        results.put("run.seconds", (System.nanoTime() - t0) / 1e9);
        results.write(o.out);
        log("results written to " + o.out);
    }

    // ---------------------------------------------------------------- mailcert

    private void mailcert(Path tlsCa) throws Exception {
        Path log = o.out.toAbsolutePath().resolveSibling("controller.log");
        Files.deleteIfExists(log);
        controller = new ControllerRunner(o.controllerJar, o.work.resolve("controller"),
                List.of("--acme-dns-server", bind.address()), log, o.controllerJvm);
        log("starting the controller (--acme-dns-server " + bind.address() + ")");
        controller.start();
        Path key = secretFile(o.work.resolve("tsig.key"), "key \"" + BindInstance.KEY_NAME + "\" {\n\talgorithm "
                + BindInstance.ALGORITHM + ";\n\tsecret \"" + Base64.getEncoder().encodeToString(bind.secret())
                + "\";\n};\n");
        log("mailcert issuer add " + ISSUER + " --dns rfc2136 --dns-server " + bind.address() + " (not timed)");
        controller.cli("issuer", "add", ISSUER, "--directory", pebble.directory().toString(), "--email",
                Certbot.EMAIL, "--directory-ca", tlsCa.toString(), "--dns", "rfc2136", "--dns-server", bind.address(),
                "--tsig-key-file", key.toString());
        channel = Channels.tls(controller.port(), Files.readAllBytes(controller.caPem()));
        BearerToken token = new BearerToken(controller.adminToken());
        Issuance.One one = (label, slot) -> {
            String domain = domain(label);
            RequestCertificateResponse r = AdminServiceGrpc.newBlockingStub(channel).withCallCredentials(token)
                    .withDeadlineAfter(180, TimeUnit.SECONDS)
                    .requestCertificate(RequestCertificateRequest.newBuilder().setName("bench-" + label)
                            .addDomains("*." + domain).addDomains(domain).setIssuer(ISSUER).build());
            TreeSet<String> names = new TreeSet<>(r.getCertificate().getDnsNamesList());
            if (!names.equals(new TreeSet<>(List.of("*." + domain, domain)))) {
                throw new IllegalStateException("RequestCertificate answered names " + names + " for " + domain
                        + " (" + r.getAcme().getLastResult() + ": " + r.getAcme().getLastError() + ")");
            }
        };
        if (o.warmup > 0) {
            log("mailcert: warm-up, " + o.warmup + " certificates (not counted)");
            Issuance.run(labels("mcw", o.warmup), 1, one);
        }
        phase("mailcert_c1", "mailcert, 1 request at a time", labels("mc1", o.count), 1, one);
        if (o.concurrency > 1) {
            phase("mailcert_par", "mailcert, " + o.concurrency + " requests at a time", labels("mc" + o.concurrency,
                    o.count), o.concurrency, one);
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        channel = null;
        controller.stop();
        ControllerSteps.parse(log).put(results, Map.of("mailcert_c1", "mc1-", "mailcert_par", "mc" + o.concurrency + "-"),
                o.run);
    }

    // ---------------------------------------------------------------- certbot

    private void certbot(Path tlsCa) throws Exception {
        Path credentials = o.work.resolve("certbot").resolve("rfc2136.ini");
        Files.createDirectories(credentials.getParent());
        Certbot.writeCredentials(credentials, bind.port(), BindInstance.KEY_NAME, bind.secret());
        Path outputs = o.out.toAbsolutePath().resolveSibling("certbot-output");
        Certbot certbot = new Certbot(o.certbot, pebble.directory().toString(), tlsCa, credentials,
                o.propagationSeconds, outputs);
        results.put("run.certbot", certbot.version());
        Certbot.Dirs sequential = Certbot.Dirs.under(o.work.resolve("certbot").resolve("sequential"));
        List<Certbot.Dirs> workers = new ArrayList<>();
        for (int i = 0; i < o.concurrency; i++) {
            workers.add(Certbot.Dirs.under(o.work.resolve("certbot").resolve("worker-" + i)));
        }
        log("certbot register, once per config dir (" + (1 + workers.size()) + ", not timed)");
        certbot.register(sequential, "register-sequential");
        for (int i = 0; i < workers.size(); i++) {
            certbot.register(workers.get(i), "register-worker-" + i);
        }
        results.put("run.certbot_command", String.join(" ", certbot.command(sequential, "<label>." + ZONE))
                .replace(o.work.toString(), "$WORK"));
        if (o.warmup > 0) {
            log("certbot: warm-up, " + o.warmup + " certificates (not counted)");
            Issuance.run(labels("cbw", o.warmup), 1, (label, slot) -> certbot.issue(sequential, domain(label)));
        }
        List<String> sequentialLabels = labels("cb1", o.count);
        phase("certbot_seq", "certbot, one process after the other", sequentialLabels, 1,
                (label, slot) -> certbot.issue(sequential, domain(label)));
        for (String label : sequentialLabels) {
            Certbot.verify(sequential, domain(label));
        }
        if (o.concurrency > 1) {
            Map<String, Certbot.Dirs> usedBy = new ConcurrentHashMap<>();
            List<String> parallelLabels = labels("cb" + o.concurrency, o.count);
            phase("certbot_par", "certbot, " + o.concurrency + " workers", parallelLabels, o.concurrency,
                    (label, slot) -> {
                        usedBy.put(label, workers.get(slot));
                        certbot.issue(workers.get(slot), domain(label));
                    });
            for (String label : parallelLabels) {
                Certbot.verify(usedBy.get(label), domain(label));
            }
        }
    }

    // ---------------------------------------------------------------- phases

    /** One measured phase: waits for a quiet machine, issues every label, records time, rate and CPU. */
    private void phase(String key, String title, List<String> labels, int concurrency, Issuance.One one)
            throws Exception {
        awaitQuiet(key);
        log(title + ": " + labels.size() + " certificates (" + labels.get(0) + " … " + labels.get(labels.size() - 1)
                + ")");
        PhaseCpu cpu = PhaseCpu.begin(participants());
        Issuance.Outcome outcome = Issuance.run(labels, concurrency, one);
        cpu.end(results, key);
        String p = "phase." + key;
        results.put(p + ".title", title);
        results.put(p + ".concurrency", concurrency);
        results.put(p + ".issued", outcome.latenciesMs().size());
        results.put(p + ".failures", 0);
        results.put(p + ".wall_s", outcome.wallNanos() / 1e9);
        results.put(p + ".per_second", outcome.perSecond());
        results.put(p + ".latency.p50_ms", Stats.of(outcome.latenciesMs()).percentile(50));
        results.put(p + ".latency.p95_ms", Stats.of(outcome.latenciesMs()).percentile(95));
        results.put(p + ".latency.max_ms", Stats.of(outcome.latenciesMs()).max());
        results.put(p + ".latency.mean_ms", Stats.of(outcome.latenciesMs()).mean());
        int tenth = Math.max(1, labels.size() / 10);
        List<Double> all = outcome.latenciesMs();
        results.put(p + ".latency.first_tenth_p50_ms", Stats.of(all.subList(0, tenth)).percentile(50));
        results.put(p + ".latency.last_tenth_p50_ms", Stats.of(all.subList(all.size() - tenth, all.size())).percentile(50));
    }

    /** The processes whose CPU each phase records besides this JVM and its reaped children. */
    private Map<String, LongSupplier[]> participants() {
        Map<String, LongSupplier[]> p = new LinkedHashMap<>();
        p.put("controller", new LongSupplier[] {() -> controller == null ? -1 : controller.pid()});
        p.put("pebble", childrenRunning("/usr/bin/pebble"));
        p.put("bind", childrenRunning("/usr/sbin/named"));
        return p;
    }

    /** The pids of this JVM's live children whose command is {@code command} (Pebble, challtestsrv, named). */
    private static LongSupplier[] childrenRunning(String command) {
        return ProcessHandle.current().children()
                .filter(h -> h.info().command().map(c -> c.startsWith(command)).orElse(false))
                .map(h -> (LongSupplier) h::pid).toArray(LongSupplier[]::new);
    }

    private void awaitQuiet(String what) throws InterruptedException {
        List<LongSupplier> own = new ArrayList<>(List.of(() -> ProcessHandle.current().pid()));
        for (LongSupplier[] pids : participants().values()) {
            for (LongSupplier pid : pids) {
                long id = pid.getAsLong();
                if (id > 0) {
                    own.add(() -> id);
                }
            }
        }
        double waited = Quiet.await(o.quietWaitSeconds, 0.3, this::log, own.toArray(LongSupplier[]::new));
        results.put("quiet." + what + "_waited_s", waited);
    }

    /** {@code prefix-r<run>-000}, …: one label per certificate, unique per side, phase and run. */
    private List<String> labels(String prefix, int n) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add(String.format(Locale.ROOT, "%s-r%d-%03d", prefix, o.run, i));
        }
        return labels;
    }

    static String domain(String label) {
        return label + "." + ZONE;
    }

    private static Path secretFile(Path file, String content) throws java.io.IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        return file;
    }

    private void log(String message) {
        System.err.printf(Locale.ROOT, "[%7.1f s] %s%n", (System.nanoTime() - t0) / 1e9, message);
    }

    private void cleanUp() {
        if (channel != null) {
            channel.shutdownNow();
        }
        try {
            if (controller != null) {
                controller.stop();
            }
        } catch (Exception e) {
            System.err.println("stopping the controller: " + e);
        }
        if (pebble != null) {
            pebble.close();
        }
        if (bind != null) {
            bind.close();
        }
    }

    /** Command-line options; see bench/run-acme-bench.sh. */
    static final class Options {
        int count = 100;
        int concurrency = 4;
        int warmup = 3;
        int run = 1;
        int propagationSeconds = 0;
        List<String> sides = List.of("mailcert", "certbot");
        Path work;
        Path out;
        Path controllerJar = Path.of("controller", "target", "mailcert-controller.jar");
        Path certbot = Path.of("/usr/bin/certbot");
        List<String> controllerJvm = List.of("-Xms256m", "-Xmx1g");
        int timeoutMinutes = 60;
        long quietWaitSeconds = 300;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--count" -> { o.count = Integer.parseInt(v); i++; }
                    case "--concurrency" -> { o.concurrency = Integer.parseInt(v); i++; }
                    case "--warmup" -> { o.warmup = Integer.parseInt(v); i++; }
                    case "--run" -> { o.run = Integer.parseInt(v); i++; }
                    case "--propagation-seconds" -> { o.propagationSeconds = Integer.parseInt(v); i++; }
                    case "--sides" -> { o.sides = List.of(v.split(",")); i++; }
                    case "--work" -> { o.work = Path.of(v); i++; }
                    case "--out" -> { o.out = Path.of(v); i++; }
                    case "--controller-jar" -> { o.controllerJar = Path.of(v); i++; }
                    case "--certbot" -> { o.certbot = Path.of(v); i++; }
                    case "--controller-jvm" -> { o.controllerJvm = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+")); i++; }
                    case "--timeout-minutes" -> { o.timeoutMinutes = Integer.parseInt(v); i++; }
                    case "--quiet-wait" -> { o.quietWaitSeconds = Long.parseLong(v); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + a + "; options: --count N"
                            + " --concurrency N --warmup N --run N --propagation-seconds S --sides mailcert,certbot"
                            + " --work DIR --out FILE --controller-jar JAR --certbot PATH --controller-jvm 'ARGS'"
                            + " --timeout-minutes N --quiet-wait S");
                }
            }
            if (o.count < 1 || o.concurrency < 1 || o.warmup < 0) {
                throw new IllegalArgumentException("--count and --concurrency must be at least 1, --warmup at least 0");
            }
            for (String side : o.sides) {
                if (!side.equals("mailcert") && !side.equals("certbot")) {
                    throw new IllegalArgumentException("--sides takes mailcert and/or certbot, not " + side);
                }
            }
            if (o.work == null) {
                o.work = Path.of(System.getProperty("java.io.tmpdir"), "mailcert-acme-bench-" + ProcessHandle.current().pid());
            }
            if (o.out == null) {
                o.out = o.work.resolve("acme.properties");
            }
            return o;
        }
    }
}
