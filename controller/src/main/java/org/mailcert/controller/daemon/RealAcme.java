package org.mailcert.controller.daemon;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.mailcert.controller.acme.Acme4jCa;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.acme.AuthoritativeCheck;
import org.mailcert.controller.acme.Delegation;
import org.mailcert.controller.acme.ExecHookSolver;
import org.mailcert.controller.acme.Propagation;
import org.mailcert.controller.acme.Rfc2136Solver;
import org.mailcert.controller.issuers.AcmeWiring;
import org.mailcert.controller.model.DnsSolverConfig;

/** The ACME wiring the daemon runs with: acme4j, the two DNS-01 solvers, the authoritative check. */
final class RealAcme {
    private RealAcme() {
    }

    /**
     * @param dnsServer where the propagation check asks for zones, name servers and their addresses
     *     ({@code host:port}), and the port it asks those name servers on; empty for the system's
     *     resolvers and port 53
     */
    static AcmeWiring wiring(Clock clock, Optional<java.net.InetSocketAddress> dnsServer) {
        Delegation lookup = dnsServer.map(s -> Delegation.using(List.of(s.getHostString() + ":" + s.getPort()), s.getPort()))
                .orElseGet(Delegation::system);
        Propagation propagation = new AuthoritativeCheck(lookup, clock);
        return new AcmeWiring(new Acme4jCa(propagation, clock), (issuer, secrets) -> {
            if (issuer.dns() instanceof DnsSolverConfig.Rfc2136 r) {
                byte[] secret = secrets.tsigSecret().orElseThrow(() -> new AcmeException(
                        AcmeException.Kind.CONFIGURATION, "issuer " + issuer.name() + " has no TSIG secret"));
                return new Rfc2136Solver(new Rfc2136Solver.Settings(r.server(), r.tsigKeyName(), r.tsigAlgorithm(),
                        secret, r.zone().isEmpty() ? Optional.empty() : Optional.of(r.zone()),
                        Rfc2136Solver.Settings.DEFAULT_TTL, Rfc2136Solver.Settings.DEFAULT_TIMEOUT));
            }
            DnsSolverConfig.Exec exec = (DnsSolverConfig.Exec) issuer.dns();
            return new ExecHookSolver(exec.command(), ExecHookSolver.DEFAULT_TIMEOUT);
        }, propagation);
    }
}
