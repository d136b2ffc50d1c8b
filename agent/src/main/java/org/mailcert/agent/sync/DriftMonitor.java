package org.mailcert.agent.sync;

import com.google.protobuf.Timestamp;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.mailcert.agent.drift.Condition;
import org.mailcert.agent.drift.Conditions;
import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftItem;
import org.mailcert.agent.drift.Reason;
import org.mailcert.agent.facts.FactsSource;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.agent.state.DriftReportStore;
import org.mailcert.agent.state.StateException;
import org.mailcert.agent.target.Binding;
import org.mailcert.proto.v1.BindingConditions;
import org.mailcert.proto.v1.DriftAction;
import org.mailcert.proto.v1.DriftMode;
import org.mailcert.proto.v1.DriftReport;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.RunOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs drift cycles over the applied state and decides what to do about what they find: in {@code
 * enforce} mode the targets are applied again and the same handshakes repeated, so an item counts
 * as repaired only when a later observation no longer finds it; in {@code report} mode nothing is
 * changed. Keeps each subject's conditions (a transition time moves only when a status changes)
 * and when each item was first seen, and writes the last report to {@code state/drift.json} for
 * {@code mailcert-agent status}.
 *
 * <p>Called from the sync loop thread only, except {@link #fileChanged(Set)}, which the file watch
 * calls from its own thread.
 */
final class DriftMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(DriftMonitor.class);
    /** The most items one report lists. */
    static final int MAX_ITEMS = 1000;
    /** The longest message one item or condition carries. */
    static final int MAX_MESSAGE = 500;

    private final String host;
    private final DriftSettings settings;
    private final Applier applier;
    private final FactsSource facts;
    private final DriftReportStore reports;
    private final Clock clock;
    private final DoubleSupplier random;
    private final AtomicLong fileChanges = new AtomicLong();
    /** The targets' fact sources, absolute. */
    private final Set<Path> factSources;
    private volatile boolean factsStale;
    private long fileChangesSeen;
    private final Map<String, List<Condition>> conditions = new HashMap<>();
    private final Map<String, Instant> firstSeen = new HashMap<>();
    private Instant nextDue;
    private Optional<DriftReport> last = Optional.empty();
    private Set<Path> watched = Set.of();
    private Set<String> lastKeys = Set.of();
    private long materialsVersion = -1;
    private MaterialCache materials;
    private volatile Runnable listener = () -> { };
    private FileWatch watch;

    /** @param reports where the last report is written */
    DriftMonitor(String host, DriftSettings settings, Applier applier, FactsSource facts, DriftReportStore reports,
            Clock clock,
            DoubleSupplier random) {
        this.host = host;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.applier = Objects.requireNonNull(applier, "applier");
        this.facts = Objects.requireNonNull(facts, "facts");
        this.reports = Objects.requireNonNull(reports, "reports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        Set<Path> sources = new LinkedHashSet<>();
        settings.targets().forEach(t -> t.factSources().forEach(f -> sources.add(f.toAbsolutePath().normalize())));
        this.factSources = Set.copyOf(sources);
        this.nextDue = clock.instant().plus(jittered());
        resume();
    }

    /**
     * Takes the conditions' transition times and the items' first sightings from the report the
     * last run wrote, so a restart does not make old drift look new.
     */
    private void resume() {
        Optional<DriftReport> stored;
        try {
            stored = reports.load();
        } catch (StateException e) {
            LOG.warn("host {}: {}", host, e.getMessage());
            return;
        }
        stored.ifPresent(r -> {
            r.getBindingsList().forEach(b -> conditions.put(b.getId(), model(b.getConditionsList())));
            conditions.put(DriftItem.HOST, model(r.getHostConditionsList()));
            for (org.mailcert.proto.v1.DriftItem i : r.getItemsList()) {
                if (i.getAction() != DriftAction.DRIFT_ACTION_REPAIRED) {
                    firstSeen.put(key(i.getReason(), i.getSubject(), i.getTarget()),
                            instant(i.getSince()));
                }
            }
        });
    }

    private static List<Condition> model(List<org.mailcert.proto.v1.Condition> stored) {
        List<Condition> out = new ArrayList<>();
        for (org.mailcert.proto.v1.Condition c : stored) {
            for (Condition.Type t : Condition.Type.values()) {
                for (Condition.Status st : Condition.Status.values()) {
                    if (t.label().equals(c.getType()) && st.label().equals(c.getStatus())) {
                        out.add(new Condition(t, st, c.getReason(), c.getMessage(), instant(c.getLastTransitionTime()),
                                c.getObservedVersion()));
                    }
                }
            }
        }
        return out;
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** Whether file changes start cycles. */
    boolean watchesFiles() {
        return settings.watchFiles();
    }

    /**
     * Files changed on disk; safe from any thread. Marks the host's facts stale when one of them is
     * (or lies in) a target's {@link org.mailcert.agent.drift.Observable#factSources() fact source},
     * or is the directory of one (an overflow lost the names), then tells the listener.
     */
    void fileChanged(Set<Path> changed) {
        for (Path p : changed) {
            Path abs = p.toAbsolutePath().normalize();
            boolean overflowHere = factSources.stream().anyMatch(f -> abs.equals(f.getParent()));
            if (factSources.contains(abs) || (abs.getParent() != null && factSources.contains(abs.getParent()))
                    || overflowHere) {
                factsStale = true;
                break;
            }
        }
        fileChanges.incrementAndGet();
        listener.run();
    }

    /** Whether a fact source changed since the last call; clears the mark. Safe from any thread. */
    boolean takeFactsStale() {
        boolean stale = factsStale;
        factsStale = false;
        return stale;
    }

    /** Who hears of file changes (the open session); safe from any thread. */
    void listener(Runnable r) {
        listener = Objects.requireNonNull(r, "listener");
    }

    /** The watch whose directories follow what each cycle observed. */
    void watch(FileWatch w) {
        this.watch = w;
    }

    /** Whether a file changed since the last cycle started (that cycle may not have seen it). */
    boolean fileChangePending() {
        return fileChanges.get() != fileChangesSeen;
    }

    /** When the timer's next cycle is due. */
    Instant nextDue() {
        return nextDue;
    }

    /** How long until the timer's next cycle, zero if due. */
    Duration untilDue() {
        Duration d = Duration.between(clock.instant(), nextDue);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The files and directories the last cycle said to watch. */
    Set<Path> watched() {
        return watched;
    }

    /** The last report, if a cycle ran. */
    Optional<DriftReport> last() {
        return last;
    }

    /**
     * Runs a cycle over the applied state, repairs what it found in {@code enforce} mode, and returns
     * the report. The timer's next cycle is due an interval (jittered) after this one.
     *
     * @param trigger what started it: {@code apply}, {@code timer}, {@code file-change} or {@code start}
     */
    DriftReport check(String trigger) throws InterruptedException {
        try {
            return checkOnce(trigger);
        } catch (RuntimeException e) {
            // A bug in a check or an observer must not end the sync loop: the cycle counts as failed.
            LOG.error("host {}: drift cycle ({}) failed: {}", host, trigger, e.toString(), e);
            nextDue = clock.instant().plus(jittered());
            DriftReport failed = DriftReport.newBuilder()
                    .setAppliedVersion(applier.current().version())
                    .setMode(protoMode())
                    .setOutcome(RunOutcome.RUN_OUTCOME_FAILED)
                    .setObserved(timestamp(clock.instant()))
                    .setTrigger(trigger)
                    .addItems(org.mailcert.proto.v1.DriftItem.newBuilder().setReason(Reason.CONFIG_EDITED.label())
                            .setSubject(DriftItem.HOST).setMessage(cut("cannot observe: internal error: " + e))
                            .setSince(timestamp(clock.instant())).setAction(DriftAction.DRIFT_ACTION_REPORTED))
                    .build();
            last = Optional.of(failed);
            return failed;
        }
    }

    /** What the targets name to watch whatever is installed (their configuration files). */
    private Set<Path> targetsWatched() {
        Set<Path> out = new LinkedHashSet<>();
        settings.targets().forEach(t -> out.addAll(t.watched()));
        out.addAll(factSources);
        return out;
    }

    private DriftReport checkOnce(String trigger) throws InterruptedException {
        long started = System.nanoTime();
        Instant now = clock.instant();
        fileChangesSeen = fileChanges.get();
        AppliedState applied = applier.current();
        List<Binding> bindings = bindings(applied);
        Set<String> domains = discoveredDomains();
        // Before the first state arrives there is nothing desired to compare with: an empty state would
        // make every managed file "drift" and, in enforce mode, an empty apply. The targets'
        // configuration is watched already (a domain added there changes the host's facts).
        DriftCycle.Result found = applied.version() == 0 && bindings.isEmpty()
                ? new DriftCycle.Result(List.of(), 0, targetsWatched())
                : settings.cycle().cycle(bindings, settings.targets(), domains);
        int probes = found.probes();
        List<DriftItem> repairable = found.items().stream().filter(i -> i.reason().repairable()).toList();
        List<Item> items = new ArrayList<>();
        RunOutcome outcome;
        List<DriftItem> remaining = found.items();
        if (repairable.isEmpty()) {
            outcome = RunOutcome.RUN_OUTCOME_IN_SYNC;
            found.items().forEach(i -> items.add(new Item(i, DriftAction.DRIFT_ACTION_REPORTED)));
        } else if (settings.mode() == DriftSettings.Mode.REPORT) {
            outcome = RunOutcome.RUN_OUTCOME_WOULD_CHANGE;
            found.items().forEach(i -> items.add(new Item(i, i.reason().repairable()
                    ? DriftAction.DRIFT_ACTION_WOULD_CHANGE : DriftAction.DRIFT_ACTION_REPORTED)));
        } else {
            LOG.warn("host {}: drift found, repairing: {}", host, summary(repairable));
            Optional<String> failure = applier.repair();
            DriftCycle.Result after = settings.cycle().recheck(bindings, settings.targets(), domains);
            probes += after.probes();
            remaining = after.items();
            Set<String> still = new LinkedHashSet<>();
            after.items().forEach(i -> still.add(key(i)));
            boolean failed = failure.isPresent();
            for (DriftItem i : repairable) {
                if (!still.contains(key(i))) {
                    items.add(new Item(i, DriftAction.DRIFT_ACTION_REPAIRED));
                }
            }
            for (DriftItem i : after.items()) {
                boolean notFixed = i.reason().repairable();
                failed |= notFixed;
                items.add(new Item(i, notFixed ? DriftAction.DRIFT_ACTION_REPAIR_FAILED
                        : DriftAction.DRIFT_ACTION_REPORTED));
            }
            outcome = failed ? RunOutcome.RUN_OUTCOME_FAILED : RunOutcome.RUN_OUTCOME_CORRECTIVE_CHANGE;
            if (failed) {
                LOG.error("host {}: repairing drift failed{}; still: {}", host,
                        failure.map(f -> " (" + f + ")").orElse(""), summary(after.items().stream()
                                .filter(i -> i.reason().repairable()).toList()));
            } else {
                LOG.info("host {}: drift repaired (a corrective change)", host);
            }
        }
        if (found.items().stream().anyMatch(DriftMonitor::unobservable)) {
            outcome = RunOutcome.RUN_OUTCOME_FAILED;
        }
        watched = new LinkedHashSet<>(found.watched());
        watched.addAll(factSources);
        if (watch != null) {
            watch.watch(watched);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        Set<String> keys = new LinkedHashSet<>();
        items.forEach(i -> keys.add(key(i.item()) + "\u0000" + i.action()));
        if (!keys.equals(lastKeys) && !items.isEmpty()) {
            LOG.warn("host {}: drift ({}): {}", host, settings.mode().name().toLowerCase(java.util.Locale.ROOT),
                    summary(items.stream().map(Item::item).toList()));
        }
        lastKeys = keys;
        DriftReport report = report(applied, remaining, items, outcome, trigger, now, millis, probes);
        last = Optional.of(report);
        nextDue = clock.instant().plus(jittered());
        write(report);
        LOG.info("host {}: drift cycle ({}): {} item(s), {}, {} handshake(s), {} ms", host, trigger,
                report.getItemsCount(), outcome.name().substring("RUN_OUTCOME_".length()).toLowerCase(java.util.Locale.ROOT)
                        .replace('_', ' '), probes, millis);
        return report;
    }

    /** Whether two reports say the same, ignoring when and why their cycles ran and how long they took. */
    static boolean sameContent(DriftReport a, DriftReport b) {
        return strip(a).equals(strip(b));
    }

    private static DriftReport strip(DriftReport r) {
        return r.toBuilder().clearObserved().clearTrigger().clearDurationMillis().clearProbes().build();
    }

    /** One item of a report and what was done about it. */
    private record Item(DriftItem item, DriftAction action) {
    }

    private List<Binding> bindings(AppliedState applied) {
        if (materials == null || materialsVersion != applied.version()) {
            materials = new MaterialCache(applied.materials());
            materialsVersion = applied.version();
        }
        return materials.resolve(applied.bindings().values()).bindings();
    }

    private Set<String> discoveredDomains() throws InterruptedException {
        HostFacts f = facts.read();
        return new LinkedHashSet<>(f.getDomainsList());
    }

    private DriftReport report(AppliedState applied, List<DriftItem> remaining, List<Item> items, RunOutcome outcome,
            String trigger, Instant now, long millis, int probes) {
        long version = applied.version();
        DriftReport.Builder out = DriftReport.newBuilder()
                .setAppliedVersion(version)
                .setMode(protoMode())
                .setOutcome(outcome)
                .setObserved(timestamp(now))
                .setTrigger(trigger)
                .setDurationMillis(millis)
                .setProbes(probes);
        Map<String, List<Condition>> next = new LinkedHashMap<>();
        for (var b : applied.bindings().values()) {
            next.put(b.getId(), conditions(b.getId(), remaining, version, now));
            out.addBindings(BindingConditions.newBuilder().setId(b.getId()).setLeafSha256(b.getLeafSha256())
                    .addAllConditions(next.get(b.getId()).stream().map(DriftMonitor::proto).toList()));
        }
        next.put(DriftItem.HOST, conditions(DriftItem.HOST, remaining, version, now));
        next.get(DriftItem.HOST).forEach(c -> out.addHostConditions(proto(c)));
        conditions.clear();
        conditions.putAll(next);
        Map<String, Instant> seen = new HashMap<>();
        for (Item i : items) {
            String key = key(i.item());
            if (i.action() != DriftAction.DRIFT_ACTION_REPAIRED) {
                seen.put(key, firstSeen.getOrDefault(key, now));
            }
        }
        List<Item> listed = bounded(items);
        out.setItemsOmitted(items.size() - listed.size());
        for (Item i : listed) {
            Instant since = firstSeen.getOrDefault(key(i.item()), now);
            out.addItems(org.mailcert.proto.v1.DriftItem.newBuilder()
                    .setReason(i.item().reason().label())
                    .setSubject(i.item().subject())
                    .setTarget(i.item().target())
                    .setMessage(cut(i.item().message()))
                    .setSince(timestamp(since))
                    .setAction(i.action()));
        }
        firstSeen.clear();
        firstSeen.putAll(seen);
        return out.build();
    }

    /**
     * At most {@link #MAX_ITEMS} items, so a host where everything drifts still sends a report of a
     * few megabytes: repair failures first, then what would change, then the rest, each in check order.
     */
    static <T> List<T> bounded(List<T> items, java.util.function.ToIntFunction<T> rank) {
        if (items.size() <= MAX_ITEMS) {
            return items;
        }
        return items.stream().sorted(java.util.Comparator.comparingInt(rank)).limit(MAX_ITEMS).toList();
    }

    private static List<Item> bounded(List<Item> items) {
        return bounded(items, i -> switch (i.action()) {
            case DRIFT_ACTION_REPAIR_FAILED -> 0;
            case DRIFT_ACTION_WOULD_CHANGE -> 1;
            case DRIFT_ACTION_REPAIRED -> 2;
            default -> 3;
        });
    }

    private static String cut(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
    }

    private List<Condition> conditions(String subject, List<DriftItem> remaining, long version, Instant now) {
        List<Condition> fresh = Conditions.of(subject, remaining, version, now);
        return Conditions.merge(conditions.getOrDefault(subject, List.of()), fresh);
    }

    private void write(DriftReport report) {
        try {
            reports.save(report);
        } catch (StateException e) {
            LOG.warn("host {}: {}", host, e.getMessage());
        }
    }

    private DriftMode protoMode() {
        return settings.mode() == DriftSettings.Mode.ENFORCE ? DriftMode.DRIFT_MODE_ENFORCE
                : DriftMode.DRIFT_MODE_REPORT;
    }

    private Duration jittered() {
        long millis = settings.interval().toMillis();
        return Duration.ofMillis(Math.max(1, Math.round(millis * (0.9 + 0.2 * random.getAsDouble()))));
    }

    private static boolean unobservable(DriftItem i) {
        return i.subject().equals(DriftItem.HOST) && i.message().startsWith("cannot observe");
    }

    private static String key(DriftItem i) {
        return key(i.reason().label(), i.subject(), i.target());
    }

    /** What makes an item the same one from cycle to cycle (and across a restart). */
    private static String key(String reason, String subject, String target) {
        return reason + "\u0000" + subject + "\u0000" + target;
    }

    private static String summary(List<DriftItem> items) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (DriftItem i : items) {
            if (shown++ == 5) {
                out.append("; and ").append(items.size() - 5).append(" more");
                break;
            }
            out.append(out.length() == 0 ? "" : "; ").append(i);
        }
        return out.toString();
    }

    private static org.mailcert.proto.v1.Condition proto(Condition c) {
        return org.mailcert.proto.v1.Condition.newBuilder()
                .setType(c.type().label())
                .setStatus(c.status().label())
                .setReason(c.reason())
                .setMessage(cut(c.message()))
                .setLastTransitionTime(timestamp(c.lastTransitionTime()))
                .setObservedVersion(c.observedVersion())
                .build();
    }

    private static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
