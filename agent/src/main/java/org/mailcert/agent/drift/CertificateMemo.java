package org.mailcert.agent.drift;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mailcert.agent.target.Binding;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.common.pki.TrustResult;

/**
 * What the checks need to know about each certificate, worked out once per certificate (its leaf's
 * SHA-256) instead of once per binding, and kept across cycles: a host with 5,000 domains on 50
 * SAN bundles has 50 certificates, and PKIX validation of a chain costs two signature checks.
 * A trust result is reused only while the instant of the check is inside every certificate's
 * validity in the chain, the one thing that changes it (the roots are fixed for the agent's life).
 * Thread-safe.
 */
public final class CertificateMemo {
    /** A trust result and the span of instants it holds for. */
    private record Trusted(TrustResult result, Instant from, Instant until) {
        boolean holdsAt(Instant at) {
            return !at.isBefore(from) && at.isBefore(until);
        }
    }

    /** How many certificates one cycle judges for the first time, at most (about 2 s of CPU here). */
    public static final int NEW_PER_CYCLE = 500;

    private final Optional<TrustChecker> checker;
    private final java.util.concurrent.atomic.AtomicInteger budget = new java.util.concurrent.atomic.AtomicInteger(
            Integer.MAX_VALUE);
    private final Map<String, Trusted> trust = new ConcurrentHashMap<>();
    private final Map<String, CertificateFacts> facts = new ConcurrentHashMap<>();

    /** @param checker the roots chains must verify against; empty to judge no trust */
    public CertificateMemo(Optional<TrustChecker> checker) {
        this.checker = Objects.requireNonNull(checker, "checker");
    }

    /** Whether trust is judged at all. */
    boolean judgesTrust() {
        return checker.isPresent();
    }

    /** The leaf's parsed facts. */
    CertificateFacts facts(Binding b) {
        return facts.computeIfAbsent(b.leafSha256(), k -> CertificateFacts.of(b.leaf()));
    }

    /**
     * Whether the binding's chain verifies at {@code at}; empty when this cycle's budget of new
     * judgements is spent (a later cycle judges it). Only call when {@link #judgesTrust()}.
     */
    Optional<TrustResult> trust(Binding b, Instant at) {
        Trusted t = trust.get(b.leafSha256());
        if (t != null && t.holdsAt(at)) {
            return Optional.of(t.result());
        }
        if (budget.getAndDecrement() <= 0) {
            return Optional.empty();
        }
        TrustResult r = checker.orElseThrow().check(b.chain(), at);
        Instant from = Instant.MIN;
        Instant until = Instant.MAX;
        for (X509Certificate c : b.chain()) {
            Instant nb = c.getNotBefore().toInstant();
            Instant na = c.getNotAfter().toInstant();
            from = nb.isAfter(from) ? nb : from;
            until = na.isBefore(until) ? na : until;
        }
        trust.put(b.leafSha256(), new Trusted(r, from, until));
        return Optional.of(r);
    }

    /**
     * Starts a cycle: works out the distinct certificates of {@code bindings} not known yet, on all
     * cores, judging the trust of at most {@link #NEW_PER_CYCLE} for the first time. A host with
     * 5,000 certificates has all of them judged within ten cycles, and no cycle spends more than
     * about two seconds of CPU on it; what is not judged yet is not reported untrusted meanwhile.
     */
    void prime(List<Binding> bindings, Instant at) {
        budget.set(NEW_PER_CYCLE);
        Map<String, Binding> distinct = new ConcurrentHashMap<>();
        bindings.forEach(b -> distinct.putIfAbsent(b.leafSha256(), b));
        distinct.values().parallelStream().forEach(b -> {
            facts(b);
            if (judgesTrust()) {
                trust(b, at);
            }
        });
        trust.keySet().retainAll(distinct.keySet());
        facts.keySet().retainAll(distinct.keySet());
    }
}
