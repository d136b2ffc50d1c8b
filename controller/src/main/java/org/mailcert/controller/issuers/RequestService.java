package org.mailcert.controller.issuers;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.mailcert.common.pki.Keys;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.acme.AcmeCa;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.certs.CertificateNames;
import org.mailcert.controller.certs.CertificateService;
import org.mailcert.controller.certs.ImportResult;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.CertificateSource;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.IssuerSecrets;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders certificates by ACME: checks the request, generates the certificate key, orders through
 * the issuer's CA and DNS-01 solver, and stores the chain as a new version of the named
 * certificate, so every binding of that name follows. Every attempt, issued or failed, is recorded
 * in the name's {@link AcmeOrder} with the next attempt's time, and as an event.
 */
public final class RequestService {
    private static final Logger log = LoggerFactory.getLogger(RequestService.class);
    /** Most names in one order (Let's Encrypt's limit). */
    static final int MAX_NAMES = 100;

    private final Store store;
    private final IssuerService issuers;
    private final AcmeCa ca;
    private final SolverFactory solvers;
    private final CertificateService certificates;
    private final RenewalPolicy policy;
    private final AcmeCounters counters;
    private final Clock clock;

    public RequestService(Store store, IssuerService issuers, AcmeCa ca, SolverFactory solvers,
            CertificateService certificates, RenewalPolicy policy, AcmeCounters counters, Clock clock) {
        this.store = store;
        this.issuers = issuers;
        this.ca = ca;
        this.solvers = solvers;
        this.certificates = certificates;
        this.policy = policy;
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * Orders {@code name} now and keeps it renewed. A failed order is recorded (and retried after
     * the back-off) and reported as an error.
     *
     * @param issuer the issuer's name; empty when exactly one issuer exists
     * @param keyType ec256 (default when empty), ec384, rsa2048, rsa3072, rsa4096
     * @param profile a profile the CA offers; empty for its default
     */
    public OrderOutcome request(Caller caller, String name, List<String> domains, String issuer, String keyType,
            String profile) throws ControllerException {
        return request(caller, name, domains, issuer, keyType, profile, "", 0);
    }

    /**
     * {@link #request} for a SAN bundle when {@code bundleHost} is not empty: the order remembers the
     * host, whose domains its names then follow (see {@link BundleService}). A name ordered as a
     * bundle of one host cannot be re-ordered as a plain certificate or another host's bundle.
     */
    OrderOutcome request(Caller caller, String name, List<String> domains, String issuer, String keyType,
            String profile, String bundleHost, int bundleMaxNames) throws ControllerException {
        CertificateNames.require(name);
        List<String> names = domains(domains);
        String type = keyType(keyType);
        Issuer chosen = issuer(issuer);
        String wanted = profile == null ? "" : profile;
        if (!wanted.isEmpty() && !chosen.profiles().isEmpty() && !chosen.profiles().contains(wanted)) {
            throw ControllerException.invalid("issuer " + chosen.name() + " does not offer profile \""
                    + DnsNames.displaySafe(wanted) + "\"; it offers " + String.join(", ", chosen.profiles()));
        }
        Optional<AcmeOrder> existing = store.acmeOrder(name);
        if (existing.isEmpty() && !store.certificateVersions(name).isEmpty()) {
            throw ControllerException.alreadyExists("certificate " + name + " exists and was not ordered by ACME;"
                    + " choose another name");
        }
        if (existing.isPresent() && !existing.get().bundleHost().equals(bundleHost)) {
            throw ControllerException.alreadyExists("certificate " + name + " is ordered "
                    + (existing.get().isBundle() ? "as the SAN bundle of host " + existing.get().bundleHost()
                            : "for fixed names") + "; choose another name");
        }
        Instant now = clock.instant();
        AcmeOrder order = new AcmeOrder(name, chosen.name(), names, type, wanted,
                existing.flatMap(AcmeOrder::lastAttempt), existing.map(AcmeOrder::lastResult).orElse(""),
                existing.map(AcmeOrder::lastError).orElse(""), existing.map(AcmeOrder::errorKind).orElse(""),
                existing.map(AcmeOrder::failures).orElse(0), now, "requested", bundleHost, bundleMaxNames);
        OrderOutcome outcome = attempt(caller, order, Optional.empty());
        if (outcome.issued().isEmpty()) {
            AcmeOrder o = outcome.order();
            throw ControllerException.failedPrecondition("ordering " + name + " failed (" + o.errorKind() + "): "
                    + o.lastError() + "; the controller retries at " + o.nextAttempt()
                    + ", see `mailcert cert show " + name + "`");
        }
        return outcome;
    }

    /** The ACME record of a certificate name, if it is ordered by ACME. */
    public Optional<AcmeOrder> status(String name) {
        return store.acmeOrder(name);
    }

    /**
     * One attempt for {@code order}: orders, stores the version and the record with the next renewal,
     * or records the failure with its back-off. Never throws for an ACME failure.
     */
    OrderOutcome attempt(Caller caller, AcmeOrder order, Optional<X509Certificate> replaces)
            throws ControllerException {
        String name = order.name();
        String actor = caller.actor();
        try {
            Issuer issuer = issuers.registered(actor, order.issuer());
            IssuerSecrets secrets = store.issuerSecrets(issuer.name());
            KeyPair key = Keys.generate(Keys.KeyType.parse(order.keyType()));
            AcmeCa.Issued issued = ca.order(IssuerService.settings(issuer, secrets), secrets.accountKey(),
                    new AcmeCa.Order(order.domains(), key,
                            order.profile().isEmpty() ? Optional.empty() : Optional.of(order.profile()),
                            issuer.ari() ? replaces : Optional.empty()),
                    solvers.create(issuer, secrets));
            ImportResult stored;
            try {
                stored = certificates.addIssued(caller, name, issued.chain(), key.getPrivate(),
                        CertificateSource.ACME);
            } catch (ControllerException e) {
                throw new AcmeException(AcmeException.Kind.CONFIGURATION, "the CA's certificate was refused: "
                        + e.getMessage());
            }
            Instant at = clock.instant();
            RenewalPolicy.Next next = afterIssue(issuer, stored.certificate().version(), at);
            AcmeOrder after = order.issued(at, next.at(), next.reason());
            counters.issued();
            record(actor, after, "acme.issued", "issued " + name + " version " + stored.certificate().version().version()
                    + " by " + issuer.name() + " (order " + issued.orderUrl() + "); next: " + next.reason() + " at "
                    + next.at());
            log.info("certificate {}: issued version {} by {}", name, stored.certificate().version().version(),
                    issuer.name());
            return new OrderOutcome(Optional.of(stored), after);
        } catch (AcmeException e) {
            return failed(actor, order, e.kind(), e.getMessage(), e.retryAfter());
        }
    }

    /** Records a failed attempt with its back-off. */
    OrderOutcome failed(String actor, AcmeOrder order, AcmeException.Kind kind, String message,
            Optional<java.time.Duration> retryAfter) throws ControllerException {
        Instant at = clock.instant();
        int failures = order.failures() + 1;
        RenewalPolicy.Next next = policy.afterFailure(at, failures, kind, retryAfter);
        String k = IssuerService.kindName(kind);
        AcmeOrder after = order.failed(at, k, message, next.at(), next.reason());
        counters.failed(k);
        record(actor, after, "acme.failed", "ordering " + order.name() + " from " + order.issuer() + " failed (" + k
                + "): " + message + "; next attempt at " + next.at() + " (" + next.reason() + ")");
        log.warn("certificate {}: ACME order failed ({}): {}; next attempt at {}", order.name(), k, message, next.at());
        return new OrderOutcome(Optional.empty(), after);
    }

    /** Stores the record with only its next attempt moved. */
    void reschedule(AcmeOrder order, RenewalPolicy.Next next) throws ControllerException {
        store.write(tx -> {
            tx.putAcmeOrder(order.rescheduled(next.at(), next.reason()));
            return null;
        });
    }

    private RenewalPolicy.Next afterIssue(Issuer issuer, CertificateVersion version, Instant now) {
        RenewalPolicy.Next third = policy.afterIssue(version.leaf(), now);
        if (issuer.ari()) {
            Instant ask = now.plus(RenewalPolicy.ARI_POLL);
            return ask.isBefore(third.at()) ? new RenewalPolicy.Next(ask, "ask the CA's renewal info (ARI)") : third;
        }
        return third;
    }

    private void record(String actor, AcmeOrder order, String kind, String message) throws ControllerException {
        store.write(tx -> {
            tx.putAcmeOrder(order);
            tx.appendEvent(Event.draft(actor, kind, "", order.name(), message));
            return null;
        });
    }

    private Issuer issuer(String name) throws ControllerException {
        if (name != null && !name.isEmpty()) {
            return issuers.get(name);
        }
        List<Issuer> all = issuers.list();
        if (all.size() == 1) {
            return all.get(0);
        }
        throw ControllerException.invalid(all.isEmpty()
                ? "no ACME issuer yet; add one with `mailcert issuer add`"
                : "there are " + all.size() + " issuers; choose one with --issuer NAME");
    }

    /** Wildcards allowed, normalised, duplicates refused, at most {@link #MAX_NAMES}. */
    static List<String> domains(List<String> raw) throws ControllerException {
        if (raw == null || raw.isEmpty()) {
            throw ControllerException.invalid("no domains: give --domains D[,D...]");
        }
        if (raw.size() > MAX_NAMES) {
            throw ControllerException.invalid(raw.size() + " domains in one order; at most " + MAX_NAMES);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String d : raw) {
            String n;
            try {
                n = DnsNames.pattern(d == null ? "" : d);
            } catch (InvalidNameException e) {
                throw ControllerException.invalid("domain name refused: " + e.getMessage());
            }
            if (!out.add(n)) {
                throw ControllerException.invalid("domain " + n + " is given twice");
            }
        }
        return new ArrayList<>(out);
    }

    static String keyType(String raw) throws ControllerException {
        if (raw == null || raw.isEmpty()) {
            return Keys.KeyType.EC256.id();
        }
        try {
            return Keys.KeyType.parse(raw).id();
        } catch (IllegalArgumentException e) {
            throw ControllerException.invalid(e.getMessage());
        }
    }
}
