package org.mailcert.controller.hosts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.Names;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.auth.Secrets;
import org.mailcert.controller.drift.SyncState;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.JoinToken;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.store.Store;
import org.mailcert.controller.sync.FleetChanges;

/** Hosts of the fleet and the join tokens that let their agents enroll. */
public final class HostService {
    /** Join token lifetime when none is asked for. */
    public static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(1);
    /** Longest join token lifetime accepted. */
    public static final Duration MAX_TOKEN_TTL = Duration.ofDays(7);
    private static final Duration MIN_TOKEN_TTL = Duration.ofMinutes(1);

    private final Store store;
    private final byte[] caSha256;
    private final java.util.function.Predicate<String> connected;
    private final FleetChanges changes;

    /**
     * @param caSha256  SHA-256 of the controller CA certificate, carried in every join token
     * @param connected tells whether a host's agent has a live stream now
     * @param changes   told when a host is revoked, so its stream is cut
     */
    public HostService(Store store, byte[] caSha256, java.util.function.Predicate<String> connected,
            FleetChanges changes) {
        this.store = store;
        this.caSha256 = caSha256.clone();
        this.connected = connected;
        this.changes = changes;
    }

    /** Declares the host if it is new and creates a single-use join token for it. */
    public JoinTokenIssued createJoinToken(Caller caller, String hostName, Duration ttl) throws ControllerException {
        String fqdn = Names.host(hostName);
        Duration lifetime = ttl == null || ttl.isZero() ? DEFAULT_TOKEN_TTL : ttl;
        if (lifetime.compareTo(MIN_TOKEN_TTL) < 0 || lifetime.compareTo(MAX_TOKEN_TTL) > 0) {
            throw ControllerException.invalid("token lifetime " + lifetime.toMinutes() + " minutes is out of range;"
                    + " use 1m to 7d");
        }
        JoinTokenValue value = new JoinTokenValue(Secrets.random(9), Secrets.random(32), caSha256);
        return store.write(tx -> {
            Optional<Host> existing = store.host(fqdn);
            if (existing.isPresent() && existing.get().state() == HostState.REVOKED) {
                throw ControllerException.failedPrecondition("host " + fqdn + " is revoked; it cannot enroll again");
            }
            if (existing.isEmpty()) {
                tx.putHost(Host.pending(fqdn, Secrets.random(12), tx.now()).withRevision(tx.revision()));
                tx.appendEvent(Event.draft(caller.actor(), "host.declared", fqdn, fqdn, "host " + fqdn
                        + " declared, pending enrollment"));
            }
            var expires = tx.now().plus(lifetime);
            tx.putJoinToken(new JoinToken(value.id(), Secrets.sha256(value.secret()), fqdn, tx.now(), expires,
                    Optional.empty(), caller.actor()));
            tx.appendEvent(Event.draft(caller.actor(), "join-token.created", fqdn, value.id(),
                    "join token " + value.id() + " for " + fqdn + " created, expires " + expires));
            return new JoinTokenIssued(value, fqdn, expires, existing.isEmpty());
        });
    }

    /** Cuts a host off: its agent's certificates stop working and its stream is closed. */
    public HostView revoke(Caller caller, String hostName) throws ControllerException {
        String fqdn = Names.host(hostName);
        store.write(tx -> {
            Host h = store.host(fqdn).orElseThrow(() -> ControllerException.notFound("no host " + fqdn
                    + "; see `mailcert host list`"));
            if (h.state() == HostState.REVOKED) {
                throw ControllerException.failedPrecondition("host " + fqdn + " is already revoked");
            }
            tx.putHost(h.with(HostState.REVOKED, List.of(), tx.revision()));
            tx.appendEvent(Event.draft(caller.actor(), "host.revoked", fqdn, fqdn, "host " + fqdn
                    + " revoked: its agent is cut off and cannot reconnect"));
            return null;
        });
        changes.hostsChanged(List.of(fqdn));
        return show(fqdn);
    }

    /** Every host with its bindings. */
    public List<HostView> list() {
        List<HostView> out = new ArrayList<>();
        for (Host h : store.hosts()) {
            out.add(view(h));
        }
        return out;
    }

    /** One host with its bindings. */
    public HostView show(String hostName) throws ControllerException {
        String fqdn = Names.host(hostName);
        Host h = store.host(fqdn).orElseThrow(() -> ControllerException.notFound("no host " + fqdn
                + "; see `mailcert host list`"));
        return view(h);
    }

    private HostView view(Host h) {
        List<Binding> bindings = store.bindingsOfHost(h.fqdn());
        long desired = org.mailcert.controller.sync.DesiredStates.version(h, bindings, store);
        HostStatus status = store.hostStatus(h.fqdn());
        boolean live = connected.test(h.fqdn());
        return new HostView(h, status, bindings, desired, live, uncovered(status.discoveredDomains(), bindings),
                SyncState.of(h, status, desired, live));
    }

    /**
     * The discovered domains whose {@code mail.<domain>} neither a MAIL binding of the host nor its
     * server-wide certificate (latest version) covers.
     */
    private List<String> uncovered(List<String> discovered, List<Binding> bindings) {
        Set<String> bound = new HashSet<>();
        Optional<String> serverCertificate = Optional.empty();
        for (Binding b : bindings) {
            if (b.key().scope() == Scope.MAIL) {
                bound.add(b.key().domain());
            } else if (b.key().scope() == Scope.SERVER) {
                serverCertificate = Optional.of(b.certificate());
            }
        }
        List<String> candidates = discovered.stream().filter(d -> !bound.contains(d)).sorted().toList();
        if (candidates.isEmpty()) {
            return candidates;
        }
        Optional<CertificateFacts> server = serverCertificate.flatMap(store::certificate)
                .map(v -> CertificateFacts.of(v.leaf()));
        return candidates.stream()
                .filter(d -> server.map(f -> !f.covers("mail." + d)).orElse(true))
                .toList();
    }
}
