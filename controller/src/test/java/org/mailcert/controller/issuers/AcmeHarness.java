package org.mailcert.controller.issuers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.acme.DnsSolver;
import org.mailcert.controller.model.DnsSolverConfig;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.testing.Controllers;

/** The ACME services over {@link Controllers} and a {@link FakeAcmeCa}; renewals run on the calling thread. */
final class AcmeHarness implements AutoCloseable {
    static final String TSIG_SECRET = "c2VjcmV0LXRzaWcta2V5LWJ5dGVzLTEyMzQ1Njc4OTA=";
    static final String EAB_HMAC = "ZWFiLWhtYWMta2V5LXZhbHVlLTEyMzQ1Njc4OTAtYWJj";

    final Controllers c;
    final FakeAcmeCa ca;
    final AcmeCounters counters = new AcmeCounters();
    final IssuerService issuers;
    final RequestService requests;
    final RenewalPolicy policy = new RenewalPolicy(new Random(42));
    /** Issuers the solver factory was asked for, by name. */
    final List<String> solversMade = new ArrayList<>();
    final RenewalScheduler scheduler;
    final BundleService bundles;

    AcmeHarness(Path dir) throws ControllerException {
        c = new Controllers(dir);
        ca = new FakeAcmeCa(c.pki, c.clock);
        issuers = new IssuerService(c.store, ca);
        SolverFactory solvers = (issuer, secrets) -> {
            solversMade.add(issuer.name());
            return new DnsSolver() {
                @Override
                public void present(Record record) throws AcmeException {
                }

                @Override
                public void cleanup(Record record) throws AcmeException {
                }

                @Override
                public String describe() {
                    return "fake";
                }
            };
        };
        requests = new RequestService(c.store, issuers, ca, solvers, c.certificates, policy, counters, c.clock);
        scheduler = new RenewalScheduler(c.store, requests, issuers, ca, policy, c.clock, Runnable::run,
                RenewalScheduler.MAX_CONCURRENT);
        bundles = new BundleService(c.store, requests, c.bindings);
    }

    static IssuerRequest rfc2136(String name) {
        return new IssuerRequest(name, "https://acme.test/directory", "admin@example.com", "", "kid-1", EAB_HMAC,
                new DnsSolverConfig.Rfc2136("ns1.example.net:53", "mailcert-key.", "hmac-sha256", ""), TSIG_SECRET);
    }

    static IssuerRequest exec(String name) {
        return new IssuerRequest(name, "https://acme.test/directory", "admin@example.com", "", "", "",
                new DnsSolverConfig.Exec("/usr/local/bin/dns-hook"), "");
    }

    Issuer addIssuer(String name) throws ControllerException {
        return issuers.add(Controllers.OPERATOR, exec(name));
    }

    @Override
    public void close() {
        scheduler.close();
        c.close();
    }
}
