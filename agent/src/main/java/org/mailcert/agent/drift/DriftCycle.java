package org.mailcert.agent.drift;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.TargetException;
import org.mailcert.common.pki.TrustChecker;

/**
 * One drift cycle: asks each target what it has installed, makes the live handshakes its plan
 * allows, and runs the drift checks. It changes nothing; what to do about the items (repair in
 * {@code enforce} mode, report in {@code report} mode) is the caller's. A target that cannot be
 * observed is itself an item ({@link Reason#CONFIG_EDITED} of the host: its configuration cannot
 * be read). Not thread-safe: one cycle at a time.
 */
public final class DriftCycle {
    private final ServedObserver observer;
    private final int probeBudget;
    private final DriftPolicy policy;
    private final CertificateMemo memo;
    private final Clock clock;
    private long cycles;

    /**
     * @param observer makes the handshakes
     * @param probeBudget how many handshakes one cycle makes at most (each target gets its share)
     * @param policy when a certificate is expiring
     * @param trust the roots a chain must verify against; empty to skip {@link Reason#UNTRUSTED}
     * @param clock the time certificates are judged at
     */
    public DriftCycle(ServedObserver observer, int probeBudget, DriftPolicy policy, Optional<TrustChecker> trust,
            Clock clock) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.memo = new CertificateMemo(Objects.requireNonNull(trust, "trust"));
        this.clock = Objects.requireNonNull(clock, "clock");
        if (probeBudget < 1) {
            throw new IllegalArgumentException("the probe budget must be positive");
        }
        this.probeBudget = probeBudget;
    }

    /**
     * What one cycle found.
     *
     * @param items the drift items, in check order
     * @param probes how many handshakes the cycle made
     * @param watched the files and directories whose change should start a cycle soon: the observed
     *     files' directories and what each target names in {@link Observable#watched()}
     */
    public record Result(List<DriftItem> items, int probes, Set<Path> watched) {
        /** Copies the collections. */
        public Result {
            items = List.copyOf(items);
            watched = Set.copyOf(watched);
        }
    }

    /**
     * Runs one cycle over the desired state.
     *
     * @param discoveredDomains the mail domains the host's servers are configured for
     */
    public List<DriftItem> run(List<Binding> desired, List<Observable> targets, Set<String> discoveredDomains)
            throws InterruptedException {
        return cycle(desired, targets, discoveredDomains).items();
    }

    /**
     * Runs one cycle over the desired state and says how many handshakes it made and what to watch.
     *
     * @param discoveredDomains the mail domains the host's servers are configured for
     */
    public Result cycle(List<Binding> desired, List<Observable> targets, Set<String> discoveredDomains)
            throws InterruptedException {
        return observe(desired, targets, discoveredDomains, cycles++);
    }

    /**
     * Runs the previous cycle again: the same handshakes (the same window of names), so what a repair
     * changed is judged on exactly what was found wrong.
     */
    public Result recheck(List<Binding> desired, List<Observable> targets, Set<String> discoveredDomains)
            throws InterruptedException {
        return observe(desired, targets, discoveredDomains, Math.max(0, cycles - 1));
    }

    private Result observe(List<Binding> desired, List<Observable> targets, Set<String> discoveredDomains, long cycle)
            throws InterruptedException {
        Instant now = clock.instant();
        memo.prime(desired, now);
        long probesEnd = System.nanoTime() + observer.deadline().toNanos();
        int probes = 0;
        Set<Path> watched = new HashSet<>();
        Map<String, Binding> byId = new LinkedHashMap<>();
        desired.forEach(b -> byId.put(b.id(), b));
        Optional<Binding> server = desired.stream().filter(b -> b.scope() == Scope.SERVER).findFirst();
        List<Observed.OfBinding> bindings = new ArrayList<>();
        List<Observed.Config> configs = new ArrayList<>();
        Set<String> noSni = new HashSet<>();
        List<DriftItem> unobservable = new ArrayList<>();
        int share = Math.max(1, probeBudget / Math.max(1, targets.size()));
        for (Observable t : targets) {
            TargetObservation o;
            try {
                o = t.observe(desired);
            } catch (TargetException e) {
                unobservable.add(new DriftItem(Reason.CONFIG_EDITED, DriftItem.HOST, t.name(),
                        "cannot observe: " + e.getMessage()));
                continue;
            }
            watched.addAll(t.watched());
            o.files().values().forEach(files -> files.forEach(f -> {
                if (f.path().getParent() != null) {
                    watched.add(f.path().getParent());
                }
            }));
            configs.addAll(o.configs());
            if (!o.perDomain()) {
                noSni.add(o.target());
            }
            List<ProbePlan.Name> names = new ArrayList<>();
            o.names().forEach((sni, id) -> {
                if (byId.containsKey(id)) {
                    names.add(new ProbePlan.Name(sni, byId.get(id).leafSha256()));
                }
            });
            names.sort((a, b) -> a.sni().compareTo(b.sni()));
            List<Observed.Served> served = observer.observe(ProbePlan.of(o.endpoints(), names, share, cycle,
                    o.serverWide()), probesEnd);
            probes += served.size();
            Map<String, List<Observed.Served>> servedById = new LinkedHashMap<>();
            for (Observed.Served s : served) {
                Optional<String> id = s.sni().isPresent() ? Optional.ofNullable(o.names().get(s.sni().get()))
                        : server.map(Binding::id);
                id.ifPresent(x -> servedById.computeIfAbsent(x, k -> new ArrayList<>()).add(s));
            }
            Set<String> ids = new HashSet<>(o.files().keySet());
            ids.addAll(servedById.keySet());
            for (String id : byId.keySet()) {
                if (ids.contains(id)) {
                    bindings.add(new Observed.OfBinding(byId.get(id), o.target(), o.files().getOrDefault(id, List.of()),
                            servedById.getOrDefault(id, List.of())));
                }
            }
        }
        List<DriftItem> items = new ArrayList<>(DriftChecks.run(new DriftChecks.Inputs(new Observed.Host(bindings,
                configs, server, discoveredDomains, noSni), policy, memo, now)));
        items.addAll(unobservable);
        return new Result(items, probes, watched);
    }
}
