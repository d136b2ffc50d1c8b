package org.mailcert.controller.certs;

import java.time.Clock;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.controller.model.CertificateVersion;

/** Assesses certificate versions against the configured trust roots and the clock. */
public final class CertificateInspector {
    private final TrustChecker trust;
    private final Clock clock;

    public CertificateInspector(TrustChecker trust, Clock clock) {
        this.trust = trust;
        this.clock = clock;
    }

    /** Facts and trust of a version, now. */
    public Assessment assess(CertificateVersion version) {
        var now = clock.instant();
        return new Assessment(version, CertificateFacts.of(version.leaf()), trust.check(version.chain(), now), now);
    }

    /** The clock assessments use. */
    public Clock clock() {
        return clock;
    }
}
