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
    private final java.util.concurrent.ConcurrentHashMap<String, CertificateCheck> keyChecks =
            new java.util.concurrent.ConcurrentHashMap<>();

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
            Checks checks = new Checks();
            Verdict verdict = evaluate(host, key, checks.of(cert), serverOf(host, key, checks));
            verdict.requireAccepted();
            Optional<Binding> old = store.binding(key);
            Binding binding = new Binding(key, certificate, verdict.warnings(),
                    old.map(Binding::created).orElse(tx.now()), tx.revision());
            tx.putBinding(binding);
            tx.appendEvent(Event.draft(caller.actor(), old.isPresent() ? "binding.replaced" : "binding.created",
                    key.host(), key.toString(), "bound " + binding.servedName() + " to certificate " + certificate
                            + old.map(o -> " (was " + o.certificate() + ")").orElse("")));
            if (scope == Scope.SERVER) {
                refreshMailWarnings(tx, host, Optional.of(checks.of(cert).assessment()), checks);
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
                refreshMailWarnings(tx, host, Optional.empty(), new Checks());
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
        Checks checks = new Checks();
        CertificateCheck checked = checks.replacing(cert, CertificateCheck.of(inspector.assess(cert), key));
        // The version is immutable once written: its key match and chain order found here also hold
        // for the binds that follow, so the first of them need not unseal the key and sign again.
        remember(stored(cert), checked);
        Assessment assessed = checked.assessment();
        for (Binding b : store.bindingsOfCertificate(cert.name())) {
            Host host = store.host(b.key().host()).orElseThrow(() -> unknownHost(b.key().host()));
            Verdict verdict = evaluate(host, b.key(), checked, serverOf(host, b.key(), checks));
            for (Finding f : verdict.findings()) {
                if (f.refuses()) {
                    throw ControllerException.invalid("version " + cert.version() + " of " + cert.name()
                            + " cannot replace the one bound as " + b.key() + ": " + f.message());
                }
            }
            putIfWarningsChanged(tx, b, verdict.warnings());
            if (b.key().scope() == Scope.SERVER) {
                refreshMailWarnings(tx, host, Optional.of(assessed), checks);
            }
        }
    }

    /** The key under which a stored version's checks are remembered: a rewritten version has a new revision. */
    private static String stored(CertificateVersion v) {
        return v.name() + "#" + v.version() + "#" + v.revision();
    }

    private void remember(String stored, CertificateCheck check) {
        if (keyChecks.size() >= 10_000) {
            keyChecks.clear();
        }
        keyChecks.put(stored, check);
    }

    private Verdict evaluate(Host host, BindingKey key, CertificateCheck check, Optional<Assessment> server) {
        return BindingRules.evaluate(new BindingContext(host, facts(host), key, check, server));
    }

    /**
     * Certificate checks of one operation, computed once per certificate version: a renewal of a
     * certificate bound on a thousand hosts assesses and key-checks it once, not a thousand times.
     */
    private final class Checks {
        private final java.util.Map<String, CertificateCheck> done = new java.util.HashMap<>();
        /** Versions being written in this transaction, by name: they are the latest for this operation. */
        private final java.util.Map<String, CertificateCheck> replacing = new java.util.HashMap<>();

        CertificateCheck of(CertificateVersion v) throws ControllerException {
            String id = v.name() + "#" + v.version();
            CertificateCheck c = done.get(id);
            if (c == null) {
                // Key match and chain order never change for a stored version: remember them across
                // operations, so a bind does not decrypt the key and sign with it every time.
                CertificateCheck known = keyChecks.get(stored(v));
                Assessment a = inspector.assess(v);
                if (known == null) {
                    known = CertificateCheck.of(a, store.privateKey(v.name(), v.version()));
                    remember(stored(v), known);
                }
                c = new CertificateCheck(a, known.keyMatches(), known.chainProblem());
                done.put(id, c);
            }
            return c;
        }

        /** The check of the latest version of a name, counting the one this operation writes. */
        Optional<CertificateCheck> latest(String name) throws ControllerException {
            CertificateCheck c = replacing.get(name);
            if (c != null) {
                return Optional.of(c);
            }
            Optional<CertificateVersion> v = store.certificate(name);
            return v.isEmpty() ? Optional.empty() : Optional.of(of(v.get()));
        }

        /** Records a version this operation writes (not yet visible in the store). */
        CertificateCheck replacing(CertificateVersion v, CertificateCheck c) {
            replacing.put(v.name(), c);
            done.put(v.name() + "#" + v.version(), c);
            return c;
        }
    }

    private org.mailcert.controller.model.HostFacts facts(Host host) {
        return store.hostStatus(host.fqdn()).facts();
    }

    /** The assessed server certificate of a host, for rules about a non-server binding. */
    private Optional<Assessment> serverOf(Host host, BindingKey key, Checks checks) throws ControllerException {
        if (key.scope() == Scope.SERVER) {
            return Optional.empty();
        }
        Optional<Binding> server = store.binding(new BindingKey(host.fqdn(), Scope.SERVER, ""));
        if (server.isEmpty()) {
            return Optional.empty();
        }
        return checks.latest(server.get().certificate()).map(CertificateCheck::assessment);
    }

    /** Re-evaluates the host's per-domain bindings against a changed server certificate. */
    private void refreshMailWarnings(Transaction tx, Host host, Optional<Assessment> server, Checks checks)
            throws ControllerException {
        for (Binding b : store.bindingsOfHost(host.fqdn())) {
            if (b.key().scope() != Scope.MAIL) {
                continue;
            }
            CertificateCheck cert = checks.latest(b.certificate()).orElseThrow();
            Verdict verdict = evaluate(host, b.key(), cert, server);
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
