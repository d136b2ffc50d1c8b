package org.mailcert.controller.acme;

import java.time.Duration;

/**
 * Waits until a presented TXT record can be seen where the CA will look: at every authoritative
 * server of the record's zone ({@link AuthoritativeCheck}), so that the CA is not asked to
 * validate before the record is there. Bounded: gives up after the timeout with a DNS failure.
 */
public interface Propagation {
    /** Does not wait at all (for solvers whose server is the CA's resolver, as in tests). */
    Propagation NONE = (record, timeout) -> { };

    /**
     * Returns once {@code record}'s value is visible at the authoritative servers.
     *
     * @throws AcmeException of kind {@link AcmeException.Kind#DNS} if it is not within {@code timeout}
     */
    void awaitVisible(DnsSolver.Record record, Duration timeout) throws AcmeException, InterruptedException;
}
