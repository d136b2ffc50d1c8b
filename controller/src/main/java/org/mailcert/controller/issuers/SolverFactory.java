package org.mailcert.controller.issuers;

import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.acme.DnsSolver;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.IssuerSecrets;

/** Builds the DNS-01 solver an issuer is configured with (RFC 2136 or an exec hook). */
@FunctionalInterface
public interface SolverFactory {
    /** The solver for {@code issuer}; {@code secrets} carries its TSIG secret, if any. */
    DnsSolver create(Issuer issuer, IssuerSecrets secrets) throws AcmeException;
}
