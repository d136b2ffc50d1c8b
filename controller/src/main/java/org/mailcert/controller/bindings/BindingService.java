package org.mailcert.controller.bindings;

import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.Names;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.certs.Assessment;
import org.mailcert.controller.certs.CertificateInspector;
import org.mailcert.controller.certs.CertificateNames;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.store.Store;
import org.mailcert.controller.store.Transaction;
import org.mailcert.controller.sync.FleetChanges;

/**
 * Desired bindings: creates and removes them, checking {@link BindingRules} on every write, and
 * keeps the warnings of per-domain bindings true when the server certificate changes.
 */
public final class BindingService {
    private final Store store;
    private final CertificateInspector inspector;
    private final FleetChanges changes;

    public BindingService(Store store, CertificateInspector inspector, FleetChanges changes) {
        this.store = store;
        this.inspector = inspector;
        this.changes = changes;
    }

    /** Binds the latest version of {@code certificate} to a host's scope (and domain). */
    public BindResult bind(Caller caller, String hostName, Scope scope, String domainName, String certificate)
            throws ControllerException {
        BindingKey key = key(hostName, scope, domainName);
        CertificateNames.require(certificate);
        BindResult result = store.write(tx -> {
            Host host = requireHost(key.host());
            CertificateVersion cert = store.certificate(certificate).orElseThrow(() -> ControllerException.notFound(
                    "no certificate named " + certificate + "; see `mailcert cert list` or import it first"));
            Verdict verdict = evaluate(host, key, cert, store.privateKey(cert.name(), cert.version()), serverOf(host, key));
            verdict.requireAccepted();
            Optional<Binding> old = store.binding(key);
            Binding binding = new Binding(key, certificate, verdict.warnings(),
                    old.map(Binding::created).orElse(tx.now()), tx.revision());
            tx.putBinding(binding);
            tx.appendEvent(Event.draft(caller.actor(), old.isPresent() ? "binding.replaced" : "binding.created",
                    key.host(), key.toString(), "bound " + binding.servedName() + " to certificate " + certificate
                            + old.map(o -> " (was " + o.certificate() + ")").orElse("")));
            if (scope == Scope.SERVER) {
                refreshMailWarnings(tx, host, Optional.of(inspector.assess(cert)));
            }
            return new BindResult(binding, old.isPresent());
        });
        changes.hostsChanged(List.of(key.host()));
        return result;
    }

    /** Removes a binding; the host falls back to its server certificate for that name. */
    public Binding unbind(Caller caller, String hostName, Scope scope, String domainName) throws ControllerException {
        BindingKey key = key(hostName, scope, domainName);
        Binding removed = store.write(tx -> {
            Host host = store.host(key.host()).orElseThrow(() -> unknownHost(key.host()));
            Binding old = store.binding(key).orElseThrow(() -> ControllerException.notFound(
                    "no binding " + key + "; see `mailcert binding list --host " + key.host() + "`"));
            tx.deleteBinding(key);
            // A removal is desired state too: the host's record carries its revision, so the
            // host's desired version moves forward even though no binding holds it.
            tx.putHost(host.withRevision(tx.revision()));
            tx.appendEvent(Event.draft(caller.actor(), "binding.removed", key.host(), key.toString(),
                    "removed binding of " + old.servedName() + " to certificate " + old.certificate()));
            if (scope == Scope.SERVER) {
                refreshMailWarnings(tx, host, Optional.empty());
            }
            return old;
        });
        changes.hostsChanged(List.of(key.host()));
        return removed;
    }

    /** All bindings, or one host's when {@code hostName} is non-empty. */
    public List<Binding> list(String hostName) throws ControllerException {
        if (hostName == null || hostName.isEmpty()) {
            return store.bindings();
        }
        String host = Names.host(hostName);
        store.host(host).orElseThrow(() -> unknownHost(host));
        return store.bindingsOfHost(host);
    }

    /**
     * Checks every binding that uses {@code cert.name()} against a new version about to be written
     * in {@code tx}, refusing it if any binding would break, and refreshes their warnings.
     */
    public void checkNewVersion(Transaction tx, CertificateVersion cert, PrivateKey key) throws ControllerException {
        Assessment assessed = inspector.assess(cert);
        for (Binding b : store.bindingsOfCertificate(cert.name())) {
            Host host = store.host(b.key().host()).orElseThrow(() -> unknownHost(b.key().host()));
            Optional<Assessment> server = b.key().scope() == Scope.SERVER ? Optional.empty() : serverOf(host, b.key());
            Verdict verdict = BindingRules.evaluate(new BindingContext(host, facts(host), b.key(), assessed, key, server));
            for (Finding f : verdict.findings()) {
                if (f.refuses()) {
                    throw ControllerException.invalid("version " + cert.version() + " of " + cert.name()
                            + " cannot replace the one bound as " + b.key() + ": " + f.message());
                }
            }
            putIfWarningsChanged(tx, b, verdict.warnings());
            if (b.key().scope() == Scope.SERVER) {
                refreshMailWarnings(tx, host, Optional.of(assessed));
            }
        }
    }

    private Verdict evaluate(Host host, BindingKey key, CertificateVersion cert, PrivateKey privateKey,
            Optional<Assessment> server) {
        return BindingRules.evaluate(new BindingContext(host, facts(host), key, inspector.assess(cert), privateKey, server));
    }

    private org.mailcert.controller.model.HostFacts facts(Host host) {
        return store.hostStatus(host.fqdn()).facts();
    }

    /** The assessed server certificate of a host, for rules about a non-server binding. */
    private Optional<Assessment> serverOf(Host host, BindingKey key) {
        if (key.scope() == Scope.SERVER) {
            return Optional.empty();
        }
        return store.binding(new BindingKey(host.fqdn(), Scope.SERVER, ""))
                .flatMap(b -> store.certificate(b.certificate()))
                .map(inspector::assess);
    }

    /** Re-evaluates the host's per-domain bindings against a changed server certificate. */
    private void refreshMailWarnings(Transaction tx, Host host, Optional<Assessment> server) throws ControllerException {
        for (Binding b : store.bindingsOfHost(host.fqdn())) {
            if (b.key().scope() != Scope.MAIL) {
                continue;
            }
            CertificateVersion cert = store.certificate(b.certificate()).orElseThrow();
            Verdict verdict = evaluate(host, b.key(), cert, store.privateKey(cert.name(), cert.version()), server);
            putIfWarningsChanged(tx, b, verdict.warnings());
        }
    }

    /**
     * Rewrites a binding whose warnings changed. Its revision stays: warnings are advice to admins,
     * not desired state an agent must apply.
     */
    private static void putIfWarningsChanged(Transaction tx, Binding b, List<String> warnings) {
        if (!b.warnings().equals(warnings)) {
            tx.putBinding(new Binding(b.key(), b.certificate(), warnings, b.created(), b.revision()));
        }
    }

    private Host requireHost(String fqdn) throws ControllerException {
        Host host = store.host(fqdn).orElseThrow(() -> unknownHost(fqdn));
        if (host.state() == HostState.REVOKED) {
            throw ControllerException.failedPrecondition("host " + fqdn + " is revoked; it receives no bindings");
        }
        return host;
    }

    private static BindingKey key(String hostName, Scope scope, String domainName) throws ControllerException {
        String host = Names.host(hostName);
        if (scope == Scope.SERVER) {
            if (domainName != null && !domainName.isEmpty()) {
                throw ControllerException.invalid("a server binding takes no domain: it covers the host name " + host);
            }
            return new BindingKey(host, scope, "");
        }
        if (domainName == null || domainName.isEmpty()) {
            throw ControllerException.invalid("a " + scope.name().toLowerCase() + " binding needs a domain");
        }
        return new BindingKey(host, scope, Names.domain(domainName));
    }

    static ControllerException unknownHost(String fqdn) {
        return ControllerException.notFound("no host " + fqdn + "; declare it with `mailcert token create --host "
                + fqdn + "` (see `mailcert host list`)");
    }
}
