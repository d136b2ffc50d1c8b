package org.mailcert.controller.enroll;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.CertificateAuthority;
import org.mailcert.common.pki.Csrs;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.auth.Secrets;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostFacts;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.JoinToken;
import org.mailcert.controller.store.Store;

/**
 * Agent identity: enrollment with a single-use join token, the short-lived client certificates
 * that follow (renewed two-phase), and the check every agent stream passes.
 */
public final class EnrollmentService {
    /** Lifetime of an agent client certificate. */
    public static final Duration AGENT_CERTIFICATE_LIFETIME = Duration.ofDays(7);

    private final Store store;
    private final CertificateAuthority ca;
    private final Duration lifetime;

    public EnrollmentService(Store store, CertificateAuthority ca, Duration lifetime) {
        this.store = store;
        this.ca = ca;
        this.lifetime = lifetime;
    }

    /**
     * Trades a join token and a CSR for a client certificate. The identity comes from the token;
     * the CSR only contributes its public key. The token is used up in the same write, so two
     * racing enrollments with one token cannot both succeed.
     */
    public Enrolled enroll(String tokenText, byte[] csrDer, HostFacts facts) throws ControllerException {
        JoinTokenValue value;
        try {
            value = JoinTokenValue.parse(tokenText);
        } catch (IllegalArgumentException e) {
            throw ControllerException.unauthenticated(e.getMessage());
        }
        PublicKey key = publicKey(csrDer);
        return store.write(tx -> {
            JoinToken token = store.joinToken(value.id())
                    .filter(t -> Secrets.sameHash(t.secretSha256(), Secrets.sha256(value.secret())))
                    .orElseThrow(() -> ControllerException.unauthenticated("join token " + value.id()
                            + " is not known to this controller; create one with `mailcert token create --host FQDN`"));
            if (token.used().isPresent()) {
                throw ControllerException.unauthenticated("join token " + token.id() + " was already used at "
                        + token.used().get() + "; tokens are single-use: create a new one");
            }
            if (!tx.now().isBefore(token.expires())) {
                throw ControllerException.unauthenticated("join token " + token.id() + " expired at " + token.expires()
                        + "; create a new one");
            }
            Host host = store.host(token.host()).orElseThrow(() -> ControllerException.failedPrecondition(
                    "host " + token.host() + " of this token no longer exists"));
            if (host.state() == HostState.REVOKED) {
                throw ControllerException.permissionDenied("host " + host.fqdn() + " is revoked");
            }
            X509Certificate cert = issue(key, host.fqdn());
            tx.putJoinToken(new JoinToken(token.id(), token.secretSha256(), token.host(), token.created(),
                    token.expires(), Optional.of(tx.now()), token.createdBy()));
            tx.putHost(host.with(HostState.ENROLLED, List.of(AgentIdentity.serialHex(cert)), tx.revision()));
            tx.putHostStatus(store.hostStatus(host.fqdn()).seen(tx.now(), facts));
            tx.appendEvent(Event.draft("agent:" + host.fqdn(), "agent.enrolled", host.fqdn(), token.id(),
                    "agent of " + host.fqdn() + " enrolled with join token " + token.id() + "; certificate serial "
                            + AgentIdentity.serialHex(cert) + " valid until " + cert.getNotAfter().toInstant()));
            return new Enrolled(host.fqdn(), host.id(), cert, ca.certificate());
        });
    }

    /**
     * Issues the next client certificate for a connected agent. Both the current and the new
     * certificate stay valid until the agent connects with the new one ({@link #confirm}).
     */
    public Enrolled renew(AgentIdentity current, byte[] csrDer) throws ControllerException {
        PublicKey key = publicKey(csrDer);
        return store.write(tx -> {
            Host host = authorize(current);
            X509Certificate cert = issue(key, host.fqdn());
            tx.putHost(host.with(host.state(), List.of(current.serial(), AgentIdentity.serialHex(cert)), host.revision()));
            tx.appendEvent(Event.draft("agent:" + host.fqdn(), "agent.certificate-issued", host.fqdn(),
                    AgentIdentity.serialHex(cert), "issued the next client certificate of " + host.fqdn()
                            + ", valid until " + cert.getNotAfter().toInstant()));
            return new Enrolled(host.fqdn(), host.id(), cert, ca.certificate());
        });
    }

    /** Called when an agent connects: a renewed certificate in use retires the older one. */
    public void confirm(AgentIdentity identity) throws ControllerException {
        Host now = authorize(identity);
        if (now.agentSerials().size() < 2 || !now.agentSerials().get(1).equals(identity.serial())) {
            return;
        }
        store.write(tx -> {
            Host host = authorize(identity);
            if (host.agentSerials().size() > 1 && host.agentSerials().get(1).equals(identity.serial())) {
                tx.putHost(host.with(host.state(), List.of(identity.serial()), host.revision()));
                tx.appendEvent(Event.draft("agent:" + host.fqdn(), "agent.certificate-renewed", host.fqdn(),
                        identity.serial(), "agent of " + host.fqdn() + " switched to its renewed certificate"));
            }
            return null;
        });
    }

    /**
     * The host an agent's certificate stands for, if it may connect: the host exists, is not
     * revoked, and the certificate is its current (or next) one.
     */
    public Host authorize(AgentIdentity identity) throws ControllerException {
        Host host = store.host(identity.host()).orElseThrow(() -> ControllerException.unauthenticated(
                "host " + identity.host() + " is not known to this controller; enroll again with a new token"));
        if (host.state() == HostState.REVOKED) {
            throw ControllerException.permissionDenied("host " + host.fqdn() + " is revoked");
        }
        if (!host.agentSerials().contains(identity.serial())) {
            throw ControllerException.unauthenticated("the agent certificate (serial " + identity.serial()
                    + ") is no longer valid for " + host.fqdn() + "; enroll again with a new token");
        }
        return host;
    }

    private X509Certificate issue(PublicKey key, String fqdn) {
        return ca.issueClient(key, fqdn, List.of(AgentIdentity.uri(fqdn)), lifetime);
    }

    private static PublicKey publicKey(byte[] csrDer) throws ControllerException {
        try {
            return Csrs.verifiedPublicKey(csrDer);
        } catch (BadMaterialException e) {
            throw ControllerException.invalid("certificate signing request refused: " + e.getMessage());
        }
    }
}
