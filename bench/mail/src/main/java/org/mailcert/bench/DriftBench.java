package org.mailcert.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftItem;
import org.mailcert.agent.drift.DriftPolicy;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.Reason;
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.exec.CommonsExecRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.ProbeResult;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.agent.state.StateStore;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.dovecot.DovecotSettings;
import org.mailcert.agent.target.dovecot.DovecotTarget;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.postfix.PostfixSettings;
import org.mailcert.agent.target.postfix.PostfixTarget;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.Material;

/**
 * The drift-cycle phase of the mail benchmark (issue 5: a cycle on a host with 5,000 domains within
 * 10 s, probes bounded). Runs in the benchmark's process, not the agent's: a {@link DriftCycle}
 * over a real {@link PostfixTarget} and {@link DovecotTarget} built with the settings the agent's
 * {@code run} builds them with (the same configuration, the agent's data dir as their managed
 * dirs), a {@link ServedObserver} over {@link SocketTlsProbe}, and the desired bindings the agent
 * has applied, read from its state file. Measures N cycles on the clean host, then one after
 * tampering (a managed key file deleted, Postfix's SNI map source edited), which must report
 * exactly those items, then one after restoring, which must report what the clean cycles did.
 */
final class DriftBench {
    /**
     * How the cycles run.
     *
     * @param cycles clean cycles measured
     * @param probeBudget handshakes per cycle at most (the cycle's budget, shared by the targets)
     * @param parallel handshakes at once
     * @param deadline how long one target's handshakes may take in a cycle ({@link ServedObserver})
     */
    record Settings(int cycles, int probeBudget, int parallel, Duration deadline) {
    }

    /**
     * The agent's setup, as {@code run --target postfix[,dovecot]} is given it.
     *
     * @param dovecotConfig empty when Dovecot is not one of the agent's targets
     */
    record Agent(Path dataDir, Path postfixConfigDir, Optional<Path> dovecotConfig) {
    }

    private final Settings settings;
    private final Results results;
    private final Consumer<String> log;
    private final CountingProbe probe = new CountingProbe(new SocketTlsProbe());
    private final List<TimedTarget> targets;
    private final List<Observable> observables;
    private final DriftCycle cycle;
    private final List<Binding> desired;
    private Set<String> discovered = Set.of();
    private int cleanItems;

    /**
     * @param desired the bindings the agent has applied ({@link #applied})
     * @param roots what the certificates' chains must verify against ({@link Reason#UNTRUSTED})
     */
    DriftBench(Settings settings, Agent agent, List<Binding> desired, List<X509Certificate> roots, Results results,
            Consumer<String> log) {
        this.settings = settings;
        this.results = results;
        this.log = log;
        this.targets = targets(agent);
        this.observables = List.copyOf(targets);
        this.cycle = new DriftCycle(new ServedObserver(probe, settings.parallel(), settings.deadline()),
                settings.probeBudget(), DriftPolicy.DEFAULT, Optional.of(new TrustChecker(roots)), Clock.systemUTC());
        this.desired = List.copyOf(desired);
    }

    /**
     * The Postfix and Dovecot targets as {@code RunCommand.targets} builds them for {@code --target
     * postfix,dovecot --postfix-config-dir D --dovecot-config F} with the default probe address and
     * deadline (127.0.0.1, 15 s): managed files under the agent's data dir. Postfix first.
     */
    private static List<TimedTarget> targets(Agent agent) {
        CommonsExecRunner commands = new CommonsExecRunner();
        Duration probeDeadline = Duration.ofSeconds(15);
        PostfixSettings p = PostfixSettings.defaults(agent.dataDir());
        PostfixTarget postfix = new PostfixTarget(new PostfixSettings(agent.postfixConfigDir(), p.managedDir(),
                "127.0.0.1", probeDeadline, p.commandTimeout()), commands, new SocketTlsProbe());
        List<TimedTarget> out = new ArrayList<>(List.of(new TimedTarget(postfix, postfix)));
        if (agent.dovecotConfig().isPresent()) {
            DovecotSettings d = DovecotSettings.defaults(agent.dovecotConfig().get(), agent.dataDir());
            DovecotTarget dovecot = new DovecotTarget(new DovecotSettings(d.config(), d.include(), d.certDir(),
                    "127.0.0.1", probeDeadline, d.largeConfigBlocks()), commands, new SocketTlsProbe());
            out.add(new TimedTarget(dovecot, dovecot));
        }
        return List.copyOf(out);
    }

    /**
     * The bindings of the agent's applied state with their material, as the agent's material cache
     * resolves them (chain parsed, key read; the agent checked both when they arrived).
     */
    static List<Binding> applied(Path dataDir) throws Exception {
        AppliedState state = new StateStore(dataDir).load();
        List<Binding> out = new ArrayList<>();
        for (DesiredBinding b : state.bindings().values()) {
            String sha = b.getLeafSha256().toLowerCase(Locale.ROOT);
            Material m = state.materials().get(sha);
            if (m == null) {
                throw new IllegalStateException("the agent's applied state has no material for " + b.getId());
            }
            Scope scope = switch (b.getScope()) {
                case SCOPE_SERVER -> Scope.SERVER;
                case SCOPE_MAIL -> Scope.MAIL;
                case SCOPE_WEBMAIL -> Scope.WEBMAIL;
                default -> throw new IllegalStateException("unknown scope of " + b.getId());
            };
            out.add(new Binding(b.getId(), scope, b.getDomain(), b.getServedName(), b.getCertificate(),
                    b.getCertificateVersion(), sha, Pem.readCertificates(m.getChainPem().getBytes(US_ASCII)),
                    MaterialReader.readPemKey(m.getKeyPem().getBytes(US_ASCII), null)));
        }
        return out;
    }

    /**
     * The mail domains the targets discover on the host, as the agent's host facts have them
     * (inspected once: the agent reuses its facts for 5 minutes).
     */
    void discover() throws InterruptedException {
        long start = System.nanoTime();
        Set<String> domains = new TreeSet<>();
        for (TimedTarget t : targets) {
            domains.addAll(t.inspectable().inspect().domains());
        }
        discovered = Set.copyOf(domains);
        results.put("drift.discovered_domains", discovered.size());
        results.put("drift.inspect_ms", Stats.ms(System.nanoTime() - start));
    }

    /** Runs the clean cycles and records each one and their p50 / max. */
    void cleanCycles() throws InterruptedException {
        results.put("drift.bindings", desired.size());
        results.put("drift.probe_budget", settings.probeBudget());
        results.put("drift.parallel", settings.parallel());
        results.put("drift.deadline_s", settings.deadline().toSeconds());
        List<Double> wall = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> probes = new ArrayList<>();
        for (int c = 1; c <= settings.cycles(); c++) {
            Measured m = measure();
            String key = String.format(Locale.ROOT, "drift.cycle.%02d", c);
            record(key, m);
            wall.add(m.wallMs());
            if (c > 1) {
                warm.add(m.wallMs());
            }
            cpu.add(m.cpuS() * 1000);
            probes.add((double) m.probes());
            cleanItems += m.items().size();
            if (!m.items().isEmpty()) {
                log.accept("drift cycle " + c + " on the clean host found " + m.items().size() + " items:");
                print(m.items());
            }
        }
        results.putStats("drift.wall", Stats.of(wall));
        if (!warm.isEmpty()) {
            // The first cycle also pays what this process does once (JIT, PEM encodings, first
            // signature verifications), which an agent has mostly paid before its first cycle.
            results.putStats("drift.wall_after_first", Stats.of(warm));
        }
        results.putStats("drift.bench_cpu", Stats.of(cpu));
        results.put("drift.probes.max", Stats.of(probes).max());
        results.put("drift.clean_items", cleanItems);
    }

    /**
     * Deletes one managed key file of a MAIL binding and edits Postfix's SNI map source, runs one
     * cycle, which must report {@code FileMissing} for each binding using that key and {@code
     * ConfigEdited} for the map; restores both and runs one more, which must report no file or
     * configuration item. Run with the agent stopped, so that nothing repairs the damage meanwhile.
     */
    void tamperedCycle() throws Exception {
        TimedTarget postfix = targets.get(0);
        TargetObservation seen = postfix.last();
        Observed.File key = desired.stream().filter(b -> b.scope() == Scope.MAIL)
                .flatMap(b -> seen.files().getOrDefault(b.id(), List.of()).stream())
                .filter(Observed.File::secret).findFirst()
                .orElseThrow(() -> new IllegalStateException("postfix observed no key file of a MAIL binding"));
        Observed.Config map = seen.configs().stream().filter(c -> !c.item().startsWith("main.cf"))
                .findFirst().orElseThrow(() -> new IllegalStateException("postfix observed no SNI map source"));
        Path mapSource = Path.of(map.item());
        List<String> hit = seen.files().entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(f -> f.path().equals(key.path())))
                .map(Map.Entry::getKey).sorted().toList();
        byte[] keyBytes = Files.readAllBytes(key.path());
        byte[] mapBytes = Files.readAllBytes(mapSource);
        Set<String> expected = new TreeSet<>();
        hit.forEach(id -> expected.add(Reason.FILE_MISSING.label() + " " + id + " (postfix)"));
        expected.add(Reason.CONFIG_EDITED.label() + " " + DriftItem.HOST + " (postfix) " + mapSource);
        log.accept("drift: tampering: deleting " + key.path() + " (used by " + hit.size()
                + " bindings) and appending a line to " + mapSource);
        Files.delete(key.path());
        Files.write(mapSource, "# edited by the drift benchmark\n".getBytes(US_ASCII),
                StandardOpenOption.APPEND);
        Measured tampered;
        try {
            tampered = measure();
        } finally {
            Files.write(key.path(), keyBytes);
            Files.setPosixFilePermissions(key.path(), PosixFilePermissions.fromString("rw-------"));
            Files.write(mapSource, mapBytes);
        }
        record("drift.tampered", tampered);
        log.accept("drift: the tampered cycle reported:");
        print(tampered.items());
        Set<String> found = new TreeSet<>();
        List<DriftItem> others = new ArrayList<>();
        for (DriftItem i : tampered.items()) {
            if (i.reason() == Reason.FILE_MISSING) {
                found.add(i.reason().label() + " " + i.subject() + " (" + i.target() + ")");
            } else if (i.reason() == Reason.CONFIG_EDITED) {
                found.add(i.reason().label() + " " + i.subject() + " (" + i.target() + ") "
                        + i.message().replace(" was changed", ""));
            } else {
                others.add(i);
            }
        }
        boolean right = found.equals(expected) && (others.isEmpty() || cleanItems > 0);
        results.put("drift.tampered.expected", expected.size());
        results.put("drift.tampered.right", Boolean.toString(right));
        if (!right) {
            throw new IllegalStateException("the tampered cycle did not report exactly " + expected
                    + " (and, the clean cycles having found nothing, nothing else): found " + found + ", others "
                    + others);
        }
        Measured restored = measure();
        record("drift.restored", restored);
        long fileOrConfig = restored.items().stream().filter(i -> i.reason() == Reason.FILE_MISSING
                || i.reason() == Reason.CONFIG_EDITED || i.reason() == Reason.FILE_CHANGED
                || i.reason() == Reason.KEY_PERMISSIONS_WRONG).count();
        if (fileOrConfig > 0) {
            print(restored.items());
            throw new IllegalStateException("after restoring, a cycle still reports " + fileOrConfig
                    + " file or configuration items");
        }
    }

    /** One cycle: its items, wall time, the benchmark JVM's CPU (and its commands'), probes, and the split. */
    private Measured measure() throws InterruptedException {
        long self = ProcessHandle.current().pid();
        probe.reset();
        targets.forEach(TimedTarget::reset);
        double cpu0 = Cpu.self();
        double commands0 = TreeCpu.reaped(self);
        long start = System.nanoTime();
        List<DriftItem> items = cycle.run(desired, observables, discovered);
        long end = System.nanoTime();
        double cpu = Cpu.self() - cpu0;
        double commands = TreeCpu.reaped(self) - commands0;
        // Each target's handshakes run after its observation and before the next target's.
        List<long[]> spans = probe.spans();
        double[] observeMs = new double[targets.size()];
        double[] probeMs = new double[targets.size()];
        long lastProbeEnd = targets.get(targets.size() - 1).end;
        for (int k = 0; k < targets.size(); k++) {
            TimedTarget t = targets.get(k);
            long until = k + 1 < targets.size() ? targets.get(k + 1).start : end;
            observeMs[k] = Stats.ms(t.end - t.start);
            long probesEnd = spans.stream().filter(s -> s[0] >= t.end && s[0] < until).mapToLong(s -> s[1])
                    .max().orElse(t.end);
            probeMs[k] = Stats.ms(probesEnd - t.end);
            lastProbeEnd = Math.max(t.end, probesEnd);
        }
        return new Measured(items, Stats.ms(end - start), cpu, commands, probe.count(), probe.failures(), observeMs,
                probeMs, Stats.ms(end - lastProbeEnd));
    }

    private void record(String key, Measured m) {
        results.put(key + ".wall_ms", m.wallMs());
        results.put(key + ".items", m.items().size());
        results.put(key + ".probes", m.probes());
        results.put(key + ".probe_failures", m.probeFailures());
        results.put(key + ".bench_cpu_s", m.cpuS());
        results.put(key + ".bench_commands_cpu_s", m.commandsCpuS());
        for (int k = 0; k < targets.size(); k++) {
            String name = targets.get(k).name();
            results.put(key + ".observe_" + name + "_ms", m.observeMs()[k]);
            results.put(key + ".probes_" + name + "_ms", m.probeMs()[k]);
        }
        results.put(key + ".checks_ms", m.checksMs());
        Map<String, Integer> byReason = new TreeMap<>();
        m.items().forEach(i -> byReason.merge(i.reason().label(), 1, Integer::sum));
        if (!byReason.isEmpty()) {
            results.put(key + ".reasons", byReason.toString());
        }
        StringBuilder split = new StringBuilder();
        for (int k = 0; k < targets.size(); k++) {
            split.append(String.format(Locale.ROOT, "%s: observe %.0f ms, handshakes %.0f ms; ", targets.get(k).name(),
                    m.observeMs()[k], m.probeMs()[k]));
        }
        log.accept(String.format(Locale.ROOT, "drift %s: %.0f ms, %d items, %d probes (%d failed, budget %d),"
                + " bench CPU %.2f s (+ %.2f s its commands); %schecks %.0f ms", key, m.wallMs(), m.items().size(),
                m.probes(), m.probeFailures(), settings.probeBudget(), m.cpuS(), m.commandsCpuS(), split, m.checksMs()));
    }

    private void print(List<DriftItem> items) {
        items.stream().sorted(Comparator.comparing(DriftItem::toString)).limit(40)
                .forEach(i -> System.err.println("    " + i));
        if (items.size() > 40) {
            System.err.println("    ... and " + (items.size() - 40) + " more");
        }
    }

    private record Measured(List<DriftItem> items, double wallMs, double cpuS, double commandsCpuS, int probes,
            int probeFailures, double[] observeMs, double[] probeMs, double checksMs) {
    }

    /** A target whose observations are timed and kept (the last one), for the split and the tampering. */
    private static final class TimedTarget implements Observable {
        private final Observable target;
        private final Inspectable inspectable;
        private volatile long start;
        private volatile long end;
        private volatile TargetObservation last;

        TimedTarget(Observable target, Inspectable inspectable) {
            this.target = target;
            this.inspectable = inspectable;
        }

        Inspectable inspectable() {
            return inspectable;
        }

        TargetObservation last() {
            return last;
        }

        void reset() {
            start = 0;
            end = 0;
        }

        @Override
        public String name() {
            return target.name();
        }

        @Override
        public TargetObservation observe(List<Binding> desired) throws TargetException, InterruptedException {
            start = System.nanoTime();
            try {
                last = target.observe(desired);
                return last;
            } finally {
                end = System.nanoTime();
            }
        }
    }

    /** A probe that counts its handshakes and failures and keeps when each ran. Thread-safe. */
    private static final class CountingProbe implements TlsProbe {
        private final TlsProbe probe;
        private final AtomicInteger failures = new AtomicInteger();
        private final ConcurrentLinkedQueue<long[]> spans = new ConcurrentLinkedQueue<>();

        CountingProbe(TlsProbe probe) {
            this.probe = probe;
        }

        void reset() {
            failures.set(0);
            spans.clear();
        }

        int count() {
            return spans.size();
        }

        int failures() {
            return failures.get();
        }

        List<long[]> spans() {
            return List.copyOf(spans);
        }

        @Override
        public ProbeResult probe(Endpoint endpoint, Optional<String> sniName) throws ProbeException {
            long start = System.nanoTime();
            try {
                return probe.probe(endpoint, sniName);
            } catch (ProbeException | RuntimeException e) {
                failures.incrementAndGet();
                throw e;
            } finally {
                spans.add(new long[] {start, System.nanoTime()});
            }
        }
    }
}
