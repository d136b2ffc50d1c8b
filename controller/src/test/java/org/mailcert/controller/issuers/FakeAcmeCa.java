package org.mailcert.controller.issuers;

import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.acme.AcmeCa;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.acme.DnsSolver;

/**
 * An ACME CA in memory: registers every account, issues from a {@link TestPki} for the order's key,
 * presents and cleans up one TXT record per name through the solver, and fails the next calls when
 * a test queues failures. Records every call.
 */
public final class FakeAcmeCa implements AcmeCa {
    private final TestPki pki;
    private final Clock clock;
    public volatile Capabilities capabilities = new Capabilities(Set.of("classic", "tlsserver", "shortlived"), false,
            Optional.empty());
    public volatile Duration lifetime = Duration.ofDays(90);
    /** How far the CA's clock runs behind the controller's: certificates start this much earlier. */
    public volatile Duration behind = Duration.ZERO;
    public volatile Optional<RenewalWindow> window = Optional.empty();
    /** Failures for the next register calls, in order. */
    public final Deque<AcmeException> registerFailures = new ArrayDeque<>();
    /** Failures for the next order calls, in order. */
    public final Deque<AcmeException> orderFailures = new ArrayDeque<>();
    /** When set, every order fails with it (after the queued ones). */
    public volatile AcmeException alwaysFail;
    public final List<Settings> registered = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<Order> orders = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<X509Certificate> renewalInfoAsked = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<DnsSolver.Record> presented = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<DnsSolver.Record> cleaned = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FakeAcmeCa(TestPki pki, Clock clock) {
        this.pki = pki;
        this.clock = clock;
    }

    @Override
    public Account register(Settings settings, KeyPair accountKey) throws AcmeException {
        registered.add(settings);
        AcmeException e = registerFailures.poll();
        if (e != null) {
            throw e;
        }
        return new Account(URI.create("https://ca.test/acct/" + registered.size()), capabilities);
    }

    @Override
    public Issued order(Settings settings, KeyPair accountKey, Order order, DnsSolver solver) throws AcmeException {
        orders.add(order);
        AcmeException e = orderFailures.poll();
        if (e == null) {
            e = alwaysFail;
        }
        if (e != null) {
            throw e;
        }
        if (order.profile().isPresent() && !capabilities.profiles().contains(order.profile().get())) {
            throw new AcmeException(AcmeException.Kind.CONFIGURATION, "profile not offered");
        }
        for (String name : order.names()) {
            String domain = name.startsWith("*.") ? name.substring(2) : name;
            DnsSolver.Record r = new DnsSolver.Record(domain, "_acme-challenge." + domain + ".", "v" + orders.size());
            solver.present(r);
            presented.add(r);
            solver.cleanup(r);
            cleaned.add(r);
        }
        Instant now = clock.instant().minus(behind);
        TestPki.Leaf leaf = pki.leaf(order.names().toArray(String[]::new)).keyPair(order.certificateKey())
                .validity(now, now.plus(lifetime)).issue();
        return new Issued(leaf.chain(), URI.create("https://ca.test/order/" + orders.size()));
    }

    @Override
    public Optional<RenewalWindow> renewalInfo(Settings settings, X509Certificate certificate) throws AcmeException {
        renewalInfoAsked.add(certificate);
        return capabilities.ari() ? window : Optional.empty();
    }
}
