package org.mailcert.agent.target.iis;

import java.util.ArrayList;
import java.util.Comparator;
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
 * target uses it. Other scopes are not this target's; names no longer bound are left as they are. Not
 * thread-safe.
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
    private final ServedCheck served;

    /**
     * Creates the target.
     *
     * @param settings where the webmail site is and how it is probed
     * @param runner runs PowerShell and netsh
     * @param platform writes the PFX files
     * @param probe does the handshakes
     */
    public IisTarget(IisSettings settings, CommandRunner runner, Platform platform, TlsProbe probe) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.powershell = new PowerShell(runner, settings.commandTimeout(), NAME);
        this.sites = new IisSites(powershell);
        this.httpSys = new HttpSys(runner, settings.commandTimeout(), NAME);
        this.store = new CertStore(powershell, platform, settings.windowsDir());
        this.imported = new ImportedCertificates(settings.windowsDir(), NAME);
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
        if (webmail.isEmpty()) {
            return change(new ApplyReport(NAME, Map.of(), List.of()), new Journal(new StoreImports(store, imported,
                    NAME, Set.of())), Set.of());
        }
        try {
            return install(webmail, names);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(NAME, "interrupted while applying", Map.of(), false, e);
        }
    }

    private Change install(List<Binding> webmail, Map<Binding, String> names)
            throws TargetException, InterruptedException {
        IisSites.Site site = sites.webmailSite(settings.webmailPath(), NAME);
        List<IisSites.WebBinding> bindings = sites.bindings(site);
        refuseWithoutSni(webmail, bindings, site);
        Journal journal = new Journal(StoreImports.begin(store, imported, NAME));
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Binding current = null;
        try {
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
        return change(new ApplyReport(NAME, outcomes, List.of()), journal, used);
    }

    /** Makes IIS serve one name with its certificate; true if anything changed. */
    private boolean install(Binding b, String friendlyName, IisSites.Site site, List<IisSites.WebBinding> bindings,
            Journal journal) throws TargetException, InterruptedException {
        String host = b.servedName();
        int port = settings.port();
        boolean changed = journal.imports.importIfMissing(b, friendlyName);
        if (IisSites.find(bindings, host, port).isEmpty()) {
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

    /** What an apply changed, undone newest first, imported certificates last. */
    private static final class Journal {
        final StoreImports imports;
        final List<Undo> steps = new ArrayList<>();
        /** Certificates this apply unbound from a name, the only ones its commit may remove. */
        final Set<String> replaced = new TreeSet<>();

        Journal(StoreImports imports) {
            this.imports = imports;
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
            return imports.undo() && ok;
        }
    }

    private static Change change(ApplyReport report, Journal journal, Set<String> used) {
        return new StoreChange(NAME, report, journal::undo, journal.imports, used);
    }
}
