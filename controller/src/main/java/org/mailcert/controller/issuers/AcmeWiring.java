package org.mailcert.controller.issuers;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.mailcert.controller.acme.AcmeCa;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.acme.DnsSolver;
import org.mailcert.controller.acme.Propagation;

/**
 * The ACME implementations the controller runs with: the CA client, the solver factory and the
 * propagation check. {@link #unavailable()} stands in where none are wired: every call fails with
 * a CONFIGURATION error saying so.
 */
public record AcmeWiring(AcmeCa ca, SolverFactory solvers, Propagation propagation) {
    static final String UNAVAILABLE = "ACME is not available in this build of mailcert-controller";

    /** Wiring whose every call fails with {@link AcmeException.Kind#CONFIGURATION}. */
    public static AcmeWiring unavailable() {
        AcmeCa ca = new AcmeCa() {
            @Override
            public Account register(Settings settings, KeyPair accountKey) throws AcmeException {
                throw new AcmeException(AcmeException.Kind.CONFIGURATION, UNAVAILABLE);
            }

            @Override
            public Issued order(Settings settings, KeyPair accountKey, Order order, DnsSolver solver)
                    throws AcmeException {
                throw new AcmeException(AcmeException.Kind.CONFIGURATION, UNAVAILABLE);
            }

            @Override
            public Optional<RenewalWindow> renewalInfo(Settings settings, X509Certificate certificate)
                    throws AcmeException {
                throw new AcmeException(AcmeException.Kind.CONFIGURATION, UNAVAILABLE);
            }
        };
        SolverFactory solvers = (issuer, secrets) -> {
            throw new AcmeException(AcmeException.Kind.CONFIGURATION, UNAVAILABLE);
        };
        return new AcmeWiring(ca, solvers, Propagation.NONE);
    }
}
