package org.mailcert.controller.acme;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves every pending authorization of an order by DNS-01: presents all records through the
 * solver, waits until each is visible, asks the CA to validate each and waits for the verdict,
 * then removes every record whose presentation was tried, also when a step failed. A wildcard and its base
 * domain share one record name with two values, so all records are present before any is checked.
 */
final class DnsChallenges {
    private static final Logger LOG = LoggerFactory.getLogger(DnsChallenges.class);

    private final Propagation propagation;
    private final Polling polling;
    private final Duration propagationTimeout;
    private final Duration validationTimeout;

    DnsChallenges(Propagation propagation, Polling polling, Duration propagationTimeout, Duration validationTimeout) {
        this.propagation = propagation;
        this.polling = polling;
        this.propagationTimeout = propagationTimeout;
        this.validationTimeout = validationTimeout;
    }

    /** One authorization to prove: its challenge and the record that proves it. */
    private record Pending(Dns01Challenge challenge, DnsSolver.Record record) {
    }

    /** Authorizes every name of {@code order} that is not yet valid. */
    void authorize(Order order, DnsSolver solver)
            throws org.shredzone.acme4j.exception.AcmeException, AcmeException, InterruptedException {
        List<Pending> pending = new ArrayList<>();
        for (Authorization authorization : order.getAuthorizations()) {
            String domain = authorization.getIdentifier().getDomain();
            Status status = authorization.getStatus();
            if (status == Status.VALID) {
                continue;
            }
            if (status != Status.PENDING) {
                throw new AcmeException(Kind.CA_REFUSED, "the CA's authorization for " + domain + " is "
                        + status.name().toLowerCase() + ", not pending");
            }
            Dns01Challenge challenge = authorization.findChallenge(Dns01Challenge.class)
                    .orElseThrow(() -> new AcmeException(Kind.CA_REFUSED,
                            "the CA offers no dns-01 challenge for " + domain));
            pending.add(new Pending(challenge, new DnsSolver.Record(domain,
                    challenge.getRRName(authorization.getIdentifier()), challenge.getDigest())));
        }
        List<DnsSolver.Record> presented = new ArrayList<>();
        try {
            for (Pending p : pending) {
                LOG.info("presenting {} for {} via {}", p.record().recordName(), p.record().domain(), solver.describe());
                // Listed before it is tried: a present that failed may still have taken effect (an
                // update the server applied after the client gave up, a hook that wrote the record
                // and then failed), so its record is removed too.
                presented.add(p.record());
                solver.present(p.record());
            }
            for (Pending p : pending) {
                propagation.awaitVisible(p.record(), propagationTimeout);
            }
            for (Pending p : pending) {
                if (p.challenge().getStatus() != Status.VALID) {
                    p.challenge().trigger();
                }
            }
            for (Pending p : pending) {
                awaitValid(p);
            }
        } finally {
            cleanup(presented, solver);
        }
    }

    private void awaitValid(Pending p)
            throws org.shredzone.acme4j.exception.AcmeException, AcmeException, InterruptedException {
        Status status = polling.until(p.challenge(), EnumSet.of(Status.VALID, Status.INVALID), validationTimeout,
                "the dns-01 challenge for " + p.record().domain());
        if (status == Status.INVALID) {
            throw new AcmeException(Kind.CA_REFUSED, "the CA could not validate " + p.record().domain()
                    + " by DNS-01 at " + p.record().recordName() + ": "
                    + p.challenge().getError().map(AcmeErrors::describe).orElse("no reason given"));
        }
        LOG.info("the CA validated {}", p.record().domain());
    }

    private static void cleanup(List<DnsSolver.Record> presented, DnsSolver solver) {
        for (DnsSolver.Record record : presented) {
            try {
                solver.cleanup(record);
            } catch (AcmeException | RuntimeException e) {
                LOG.warn("could not remove {} for {} via {}: {}", record.recordName(), record.domain(),
                        solver.describe(), e.getMessage());
            }
        }
    }
}
