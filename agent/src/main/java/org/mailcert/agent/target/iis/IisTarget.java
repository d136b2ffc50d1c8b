package org.mailcert.agent.target.iis;

import java.util.ArrayList;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.ApplyReport;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.iis.AddedNames.Added;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.agent.target.windows.CertStore;
import org.mailcert.agent.target.windows.CommonName;
import org.mailcert.agent.target.windows.HttpSys;
import org.mailcert.agent.target.windows.ImportedCertificates;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.agent.target.windows.PowerShell;
import org.mailcert.agent.target.windows.StoreChange;
import org.mailcert.agent.target.windows.StoreImports;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves MailEnable's webmail over HTTPS with IIS: for each {@code webmail.<d>} binding the certificate is
 * imported into {@code Cert:\LocalMachine\My} (FriendlyName = its CN, else the served name), the IIS site
 * whose physical path is MailEnable's webmail gets an https binding for the name with SNI, and HTTP.sys
 * binds the certificate to {@code name:port}; then an SNI handshake per name must show the new leaf.
 * Any failure undoes what the apply did, newest first (HTTP.sys bindings back to the previous certificate,
 * added site bindings removed, imported certificates removed) and throws. A certificate the agent imported
 * earlier is removed only at commit, and only when this apply moved a name off it and no binding or other
 * target uses it. For a name no longer bound (or bound on another port) the apply removes what this target
 * added for it ({@link AddedNames}), the certificate binding and then the site binding, and never what the
 * admin made. Other scopes are not this target's. Not thread-safe.
 */
public final class IisTarget implements Target, Inspectable, Observable {
    /** The target's name. */
    public static final String NAME = "iis";
    private static final Logger LOG = LoggerFactory.getLogger(IisTarget.class);

    private final IisSettings settings;
    private final PowerShell powershell;
    private final IisSites sites;
    private final HttpSys httpSys;
    private final CertStore store;
    private final ImportedCertificates imported;
    private final AddedNames added;
    private final ServedCheck served;

    /**
     * Creates the target.
     *
     * @param settings where the webmail site is and how it is probed
     * @param runner runs PowerShell and netsh
     * @param platform writes the PFX files and the list of added names
     * @param probe does the handshakes
     */
    public IisTarget(IisSettings settings, CommandRunner runner, Platform platform, TlsProbe probe) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.powershell = new PowerShell(runner, settings.commandTimeout(), NAME);
        this.sites = new IisSites(powershell);
        this.httpSys = new HttpSys(runner, settings.commandTimeout(), NAME);
        this.store = new CertStore(powershell, platform, settings.windowsDir());
        this.imported = new ImportedCertificates(settings.windowsDir(), NAME);
        this.added = new AddedNames(settings.windowsDir(), platform);
        this.served = new ServedCheck(probe, settings.deadline());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Change apply(List<Binding> desired) throws TargetException {
        List<Binding> webmail = webmail(desired);
        Map<Binding, String> names = friendlyNames(webmail);
        Set<Added> addedBefore = readAdded();
        if (webmail.isEmpty() && addedBefore.isEmpty()) {
            return change(new ApplyReport(NAME, Map.of(), List.of()), new Journal(new StoreImports(store, imported,
                    NAME, Set.of()), added, Set.of()), Set.of());
        }
        try {
            return install(webmail, names, addedBefore);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(NAME, "interrupted while applying", Map.of(), false, e);
        }
    }

    private Set<Added> readAdded() throws TargetException {
        try {
            return added.read();
        } catch (IOException e) {
            throw new TargetException(NAME, "cannot read the list of names the iis target added: " + e.getMessage());
        }
    }

    private Change install(List<Binding> webmail, Map<Binding, String> names, Set<Added> addedBefore)
            throws TargetException, InterruptedException {
        IisSites.Site site = sites.webmailSite(settings.webmailPath(), NAME);
        List<IisSites.WebBinding> bindings = sites.bindings(site);
        refuseWithoutSni(webmail, bindings, site);
        Journal journal = new Journal(StoreImports.begin(store, imported, NAME), added, addedBefore);
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        List<String> removed = List.of();
        Binding current = null;
        try {
            removed = removeUnbound(webmail, site, bindings, journal);
            for (Binding b : webmail) {
                current = b;
                outcomes.put(b.id(), install(b, names.get(b), site, bindings, journal) ? Outcome.INSTALLED
                        : Outcome.UNCHANGED);
            }
            current = null;
            if (outcomes.containsValue(Outcome.INSTALLED)) {
                prove(webmail);
                LOG.info("iis target: {} webmail name(s) served by IIS site '{}'", webmail.size(), site.name());
            }
        } catch (TargetException e) {
            Map<String, String> errors = new LinkedHashMap<>(e.bindingErrors());
            if (current != null) {
                errors.putIfAbsent(current.id(), e.detail());
            }
            boolean restored = journal.undo();
            LOG.warn("iis target: {}; {}", e.detail(), restored ? "the previous bindings are back" : "restoring failed");
            throw new TargetException(NAME, e.detail() + (restored ? "; the previous certificates are bound again"
                    : "; restoring the previous state failed as well (see the log)"), errors, restored, e);
        }
        Set<String> used = new TreeSet<>(journal.imports.before());
        used.removeAll(journal.replaced);
        webmail.forEach(b -> used.add(CertStore.thumbprint(b.leaf())));
        return change(new ApplyReport(NAME, outcomes, removed), journal, used);
    }

    /** Removes what this target added for names no longer bound on the port; returns those names. */
    private List<String> removeUnbound(List<Binding> webmail, IisSites.Site site, List<IisSites.WebBinding> bindings,
            Journal journal) throws TargetException, InterruptedException {
        Set<String> wanted = new HashSet<>();
        webmail.forEach(b -> wanted.add(b.servedName()));
        Set<String> removed = new TreeSet<>();
        for (Added a : List.copyOf(journal.names)) {
            if (wanted.contains(a.host()) && a.port() == settings.port()) {
                continue;
            }
            if (remove(a, site, bindings, journal)) {
                removed.add(a.host());
            }
            journal.forget(a);
        }
        if (!removed.isEmpty()) {
            LOG.info("iis target: removed {} name(s) no longer bound from IIS site '{}': {}", removed.size(),
                    site.name(), String.join(", ", removed));
        }
        return List.copyOf(removed);
    }

    /**
     * Removes one thing this target added, if it is still there: a certificate binding only while it is still
     * registered under mailcert's application id. True if anything was removed.
     */
    private boolean remove(Added a, IisSites.Site site, List<IisSites.WebBinding> bindings, Journal journal)
            throws TargetException, InterruptedException {
        String host = a.host();
        int port = a.port();
        if (a.part() == AddedNames.Part.SITE) {
            if (IisSites.find(bindings, host, port).isEmpty()) {
                return false;
            }
            sites.removeBinding(site, host, port);
            journal.steps.add(() -> sites.addBinding(site, host, port));
            return true;
        }
        Optional<HttpSys.SslCert> bound = httpSys.show(host, port);
        if (bound.isEmpty()) {
            return false;
        }
        HttpSys.SslCert previous = bound.get();
        if (!previous.appId().equalsIgnoreCase(HttpSys.APP_ID)) {
            LOG.warn("iis target: {}:{} is bound under application {} now, not mailcert's; left as it is", host, port,
                    previous.appId());
            return false;
        }
        httpSys.delete(host, port);
        journal.steps.add(() -> httpSys.add(host, port, previous));
        journal.replaced.add(previous.thumbprint());
        return true;
    }

    /** Makes IIS serve one name with its certificate; true if anything changed. */
    private boolean install(Binding b, String friendlyName, IisSites.Site site, List<IisSites.WebBinding> bindings,
            Journal journal) throws TargetException, InterruptedException {
        String host = b.servedName();
        int port = settings.port();
        boolean changed = journal.imports.importIfMissing(b, friendlyName);
        if (IisSites.find(bindings, host, port).isEmpty()) {
            journal.record(new Added(AddedNames.Part.SITE, host, port));
            sites.addBinding(site, host, port);
            journal.steps.add(() -> sites.removeBinding(site, host, port));
            changed = true;
        }
        HttpSys.SslCert wanted = new HttpSys.SslCert(CertStore.thumbprint(b.leaf()), HttpSys.APP_ID, HttpSys.MY);
        Optional<HttpSys.SslCert> bound = httpSys.show(host, port);
        if (bound.isPresent() && bound.get().thumbprint().equals(wanted.thumbprint())) {
            return changed;
        }
        if (bound.isPresent()) {
            httpSys.delete(host, port);
            HttpSys.SslCert previous = bound.get();
            journal.steps.add(() -> httpSys.add(host, port, previous));
            journal.replaced.add(previous.thumbprint());
        }
        if (bound.isEmpty()) {
            journal.record(new Added(AddedNames.Part.SSLCERT, host, port));
        }
        httpSys.add(host, port, wanted);
        journal.steps.add(() -> httpSys.delete(host, port));
        return true;
    }

    private void prove(List<Binding> webmail) throws TargetException, InterruptedException {
        List<ServedCheck.Expectation> expected = webmail.stream()
                .map(b -> new ServedCheck.Expectation(Optional.of(b.servedName()), b.leafSha256(), b.id())).toList();
        List<ServedCheck.Miss> misses = served.check(List.of(settings.endpoint()), expected);
        if (misses.isEmpty()) {
            return;
        }
        Map<String, String> errors = new LinkedHashMap<>();
        misses.forEach(m -> errors.merge(m.expected().bindingId(), m.describe(), (x, y) -> x + "; " + y));
        throw new TargetException(NAME, misses.size() + " probe(s) did not show the new certificate: "
                + misses.get(0).describe(), errors);
    }

    /** The webmail bindings by name; other scopes are not this target's. */
    private static List<Binding> webmail(List<Binding> desired) {
        return desired.stream().filter(b -> b.scope() == Scope.WEBMAIL).sorted(Comparator.comparing(Binding::servedName))
                .toList();
    }

    /** The FriendlyName of each binding's certificate, refusing names that are not plain host names before anything runs. */
    private static Map<Binding, String> friendlyNames(List<Binding> webmail) throws TargetException {
        Map<Binding, String> names = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (Binding b : webmail) {
            try {
                if (!DnsNames.hostname(b.servedName()).equals(b.servedName())) {
                    errors.put(b.id(), "refused before anything was run: served name " + DnsNames.displaySafe(
                            b.servedName()) + " is not in normal form (lower case, A-labels)");
                    continue;
                }
            } catch (InvalidNameException e) {
                errors.put(b.id(), "refused before anything was run: " + e.getMessage());
                continue;
            }
            names.put(b, CommonName.of(b).orElse(b.servedName()));
        }
        if (!errors.isEmpty()) {
            throw new TargetException(NAME, errors.size() + " webmail binding(s) refused; nothing was changed: "
                    + errors.values().iterator().next(), errors);
        }
        return names;
    }

    /**
     * Refuses names the site already binds on the port without SNI: HTTP.sys would answer them with the
     * address's certificate, not the name's, and mailcert does not change the admin's bindings.
     */
    private void refuseWithoutSni(List<Binding> webmail, List<IisSites.WebBinding> bindings, IisSites.Site site)
            throws TargetException {
        Map<String, String> errors = new LinkedHashMap<>();
        for (Binding b : webmail) {
            IisSites.find(bindings, b.servedName(), settings.port()).filter(w -> !w.sni()).ifPresent(w -> errors.put(
                    b.id(), "IIS site '" + site.name() + "' binds " + w.bindingInformation() + " without SNI (sslFlags "
                    + w.sslFlags() + "); mailcert does not change it: tick 'Require Server Name Indication' or remove"
                    + " that binding"));
        }
        if (!errors.isEmpty()) {
            throw new TargetException(NAME, errors.size() + " webmail binding(s) refused; nothing was changed: "
                    + errors.values().iterator().next(), errors);
        }
    }

    /** Each webmail name, probed with SNI; no files, no handshake without SNI (IIS serves named sites here). */
    @Override
    public TargetObservation observe(List<Binding> desired) {
        Map<String, String> names = new LinkedHashMap<>();
        webmail(desired).forEach(b -> names.put(b.servedName(), b.id()));
        return new TargetObservation(NAME, Map.of(), List.of(), List.of(settings.endpoint()), names, true, false);
    }

    /** IIS and its version ({@code InetStp\VersionString}, e.g. {@code Version 10.0}). */
    @Override
    public TargetFacts inspect() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        String version = "";
        try {
            version = powershell.run("read the IIS version", List.of("(Get-ItemProperty -LiteralPath"
                    + " 'HKLM:\\SOFTWARE\\Microsoft\\InetStp').VersionString"), Map.of()).strip()
                    .replaceFirst("^Version\\s+", "");
        } catch (TargetException e) {
            problems.add(e.detail());
        }
        return new TargetFacts("IIS", version, true, List.of(settings.endpoint()), List.of(), problems);
    }

    /** One step to undo. */
    private interface Undo {
        void run() throws TargetException, InterruptedException;
    }

    /** What an apply changed, undone newest first, imported certificates last, then the list of added names. */
    private static final class Journal {
        final StoreImports imports;
        final List<Undo> steps = new ArrayList<>();
        /** Certificates this apply unbound from a name, the only ones its commit may remove. */
        final Set<String> replaced = new TreeSet<>();
        private final AddedNames list;
        private final Set<Added> namesBefore;
        /** What the target added, as the host has it now (written before an add, after a removal). */
        final Set<Added> names = new TreeSet<>(Added.ORDER);

        Journal(StoreImports imports, AddedNames list, Set<Added> namesBefore) {
            this.imports = imports;
            this.list = list;
            this.namesBefore = Set.copyOf(namesBefore);
            this.names.addAll(namesBefore);
        }

        /** Lists {@code a} before it is added, so a crash still leaves it known. */
        void record(Added a) throws TargetException {
            if (names.add(a)) {
                write();
            }
        }

        /** Stops listing {@code a} once it is removed (or found gone). */
        void forget(Added a) throws TargetException {
            if (names.remove(a)) {
                write();
            }
        }

        private void write() throws TargetException {
            try {
                list.write(names);
            } catch (IOException e) {
                throw new TargetException(NAME, "cannot record the names the iis target added: " + e.getMessage());
            }
        }

        /** Undoes every step (a failed one is logged and the rest still run); true if all succeeded. */
        boolean undo() {
            boolean ok = true;
            for (int i = steps.size() - 1; i >= 0; i--) {
                try {
                    steps.get(i).run();
                } catch (TargetException e) {
                    LOG.error("iis target: restoring failed: {}", e.getMessage());
                    ok = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            steps.clear();
            ok = imports.undo() && ok;
            if (!names.equals(namesBefore)) {
                try {
                    list.write(namesBefore);
                    names.clear();
                    names.addAll(namesBefore);
                } catch (IOException e) {
                    LOG.warn("iis target: cannot rewrite the list of added names: {}", e.getMessage());
                }
            }
            return ok;
        }
    }

    private static Change change(ApplyReport report, Journal journal, Set<String> used) {
        return new StoreChange(NAME, report, journal::undo, journal.imports, used);
    }
}
