package org.mailcert.controller.certs;

import java.time.Clock;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.controller.model.CertificateVersion;

/**
 * Assesses certificate versions against the configured trust roots and the clock. A version never
 * changes, so its facts and its chain validation are remembered for a while (path validation costs
 * several signature checks); expiry is judged from the facts at every assessment.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class CertificateInspector {
    /** How long a chain validation result is reused. */
    static final java.time.Duration TRUST_TTL = java.time.Duration.ofMinutes(10);
    private static final int MAX_REMEMBERED = 10_000;

    private final TrustChecker trust;
    private final Clock clock;
    private final java.util.concurrent.ConcurrentHashMap<String, Remembered> remembered =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record Remembered(CertificateFacts facts, org.mailcert.common.pki.TrustResult trust, java.time.Instant at) {
    }

    public CertificateInspector(TrustChecker trust, Clock clock) {
        this.trust = trust;
        this.clock = clock;
    }

    /** Facts and trust of a version, now. */
    public Assessment assess(CertificateVersion version) {
        var now = clock.instant();
        String id = version.name() + "#" + version.version() + "#" + version.revision();
        Remembered r = remembered.get(id);
        if (r == null || r.at().plus(TRUST_TTL).isBefore(now) || r.at().isAfter(now)) {
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            r = new Remembered(CertificateFacts.of(version.leaf()), trust.check(version.chain(), now), now);
            remembered.put(id, r);
        }
        return new Assessment(version, r.facts(), r.trust(), now);
    }

    /** The clock assessments use. */
    public Clock clock() {
        return clock;
    }
}
