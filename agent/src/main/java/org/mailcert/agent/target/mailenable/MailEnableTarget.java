package org.mailcert.agent.target.mailenable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.keychain.BindingRules;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.windows.CertStore;
import org.mailcert.agent.target.windows.CommonName;
import org.mailcert.agent.target.windows.ImportedCertificates;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.agent.target.windows.PowerShell;
import org.mailcert.agent.target.windows.Registry;
import org.mailcert.agent.target.windows.StoreChange;
import org.mailcert.agent.target.windows.StoreImports;
import org.mailcert.agent.target.windows.WindowsServices;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs certificates for MailEnable. Server-wide: the certificate is imported into {@code
 * Cert:\LocalMachine\My} with its CN as FriendlyName, {@value #KEY_READER_NOTE}; the registry value
 * {@code Default SSL Certificate} under MailEnable's {@code Security} key names it; the running ones of
 * MailEnable's TLS services restart; a handshake without SNI must then show the new leaf. Older
 * certificates with the same FriendlyName are renamed first (MailEnable picks by name) and removed,
 * when the agent imported them, only at commit, after the new one was proven. Per-domain: the
 * certificates are imported, and the bindings count as installed only if SNI handshakes prove
 * MailEnable serves them (how MailEnable stores the per-name choice is not documented); otherwise
 * everything is rolled back, the bindings are refused as {@code UnsupportedOnThisServer} with the advice
 * to use a SAN bundle, and later applies refuse them before writing. Where Plesk manages MailEnable
 * nothing is written: the served certificates are probed and reported. On any failure the previous
 * registry value and names come back, the services restart again and imported certificates are
 * removed. Drift: each endpoint is probed without SNI (the server-wide certificate) and with each
 * per-domain name. Not thread-safe.
 */
public final class MailEnableTarget implements Target, Observable {
    /** The target's name. */
    public static final String NAME = "mailenable";
    static final String KEY_READER_NOTE = "the MailEnable account may read its key";
    /** MailEnable's settings, in the 32-bit registry view (Wow6432Node on 64-bit Windows). */
    static final String SECURITY_KEY = "HKLM\\SOFTWARE\\Mail Enable\\Mail Enable\\Security";
    /** UNVERIFIED: the value name comes from public automation; MailEnable does not document it. */
    static final String CERTIFICATE_VALUE = "Default SSL Certificate";
    /** Plesk's settings (32-bit view); its mail provider DLL says whether Plesk manages MailEnable. */
    static final String PLESK_KEY = "HKLM\\SOFTWARE\\PLESK\\PSA Config\\Config";
    static final String PLESK_VALUE = "MAIL_PROVIDERW_DLL";
    static final String PLESK_MAILENABLE_DLL = "mailenableproviderw.dll";
    static final String UNSUPPORTED = "UnsupportedOnThisServer";
    private static final Logger LOG = LoggerFactory.getLogger(MailEnableTarget.class);

    private final MailEnableSettings settings;
    private final Registry registry;
    private final WindowsServices services;
    private final CertStore store;
    private final ServedCheck served;
    private final ImportedCertificates imported;
    /** Set once SNI handshakes showed that MailEnable does not serve the per-domain certificates. */
    private volatile boolean perDomainUnsupported;

    /**
     * Creates the target.
     *
     * @param settings how MailEnable is reached and probed
     * @param runner runs reg, sc and PowerShell
     * @param platform writes the PFX files
     * @param probe does the handshakes
     */
    public MailEnableTarget(MailEnableSettings settings, CommandRunner runner, Platform platform, TlsProbe probe) {
        this.settings = Objects.requireNonNull(settings, "settings");
        PowerShell powershell = new PowerShell(runner, settings.commandTimeout(), NAME);
        this.registry = new Registry(runner, settings.commandTimeout(), NAME);
        this.services = new WindowsServices(runner, powershell, settings.commandTimeout(), NAME);
        this.store = new CertStore(powershell, platform, settings.windowsDir());
        this.served = new ServedCheck(probe, settings.deadline());
        this.imported = new ImportedCertificates(settings.windowsDir(), NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Whether the last apply found that MailEnable serves no per-domain certificates here. */
    public boolean perDomainUnsupported() {
        return perDomainUnsupported;
    }

    @Override
    public Change apply(List<Binding> desired) throws TargetException {
        try {
            return applyChecked(desired);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(NAME, "interrupted while applying", Map.of(), false, e);
        }
    }

    private Change applyChecked(List<Binding> desired) throws TargetException, InterruptedException {
        Optional<Binding> server = BindingRules.server(desired, NAME);
        List<Binding> mail = BindingRules.mail(desired);
        Map<Binding, String> names = friendlyNames(server, mail);
        if (pleskManaged()) {
            return probeOnly(server, mail);
        }
        if (!mail.isEmpty() && perDomainUnsupported) {
            BindingRules.refuseMail(mail, NAME, UNSUPPORTED + ": SNI handshakes showed MailEnable does not serve the"
                    + " per-domain certificates here; serve one SAN certificate instead (mailcert cert bundle HOST)",
                    server);
        }
        Journal journal = new Journal(StoreImports.begin(store, imported, NAME));
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        try {
            boolean changed = false;
            for (Binding b : mail) {
                outcomes.put(b.id(), ensureImported(b, names.get(b), journal) ? Outcome.INSTALLED : Outcome.UNCHANGED);
            }
            if (server.isPresent()) {
                boolean serverChanged = switchServer(server.get(), names.get(server.get()), journal);
                outcomes.put(server.get().id(), serverChanged ? Outcome.INSTALLED : Outcome.UNCHANGED);
                changed = serverChanged;
            }
            if (changed || outcomes.containsValue(Outcome.INSTALLED)) {
                restartRunning(journal);
            }
            prove(server, mail);
        } catch (TargetException e) {
            boolean restored = journal.undo();
            throw new TargetException(NAME, e.detail() + (restored ? "; the previous certificate is back"
                    : "; restoring the previous state failed as well (see the log)"), e.bindingErrors(), restored, e);
        }
        return change(new ApplyReport(NAME, outcomes, List.of()), journal, used(server, mail));
    }

    /** The FriendlyName for every binding (the leaf's CN), refusing unusable names before anything runs. */
    private static Map<Binding, String> friendlyNames(Optional<Binding> server, List<Binding> mail)
            throws TargetException {
        Map<Binding, String> names = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        List<Binding> all = new ArrayList<>(mail);
        server.ifPresent(all::add);
        for (Binding b : all) {
            try {
                DnsNames.hostname(b.servedName());
            } catch (InvalidNameException e) {
                errors.put(b.id(), "refused before anything was run: " + e.getMessage());
                continue;
            }
            Optional<String> cn = CommonName.of(b);
            if (cn.isEmpty()) {
                errors.put(b.id(), "the certificate's subject has no CN that is a DNS name; MailEnable lists"
                        + " certificates by that name");
            } else {
                names.put(b, cn.get());
            }
        }
        if (!errors.isEmpty()) {
            throw new TargetException(NAME, errors.size() + " binding(s) refused; nothing was changed", errors);
        }
        return names;
    }

    /** Whether Plesk's mail provider is MailEnable's (then Plesk owns MailEnable's certificate settings). */
    boolean pleskManaged() throws TargetException, InterruptedException {
        return registry.query(PLESK_KEY, PLESK_VALUE)
                .map(v -> v.strip().toLowerCase(Locale.ROOT).endsWith(PLESK_MAILENABLE_DLL)).orElse(false);
    }

    private Change probeOnly(Optional<Binding> server, List<Binding> mail) throws TargetException, InterruptedException {
        List<ServedCheck.Miss> misses = served.check(settings.endpoints(), expectations(server, mail));
        if (!misses.isEmpty()) {
            throw missed("Plesk manages MailEnable on this host, so mailcert changes nothing here (probe and report"
                    + " only); assign the certificate in Plesk", misses);
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        server.ifPresent(b -> outcomes.put(b.id(), Outcome.UNCHANGED));
        mail.forEach(b -> outcomes.put(b.id(), Outcome.UNCHANGED));
        return change(new ApplyReport(NAME, outcomes, List.of()),
                new Journal(new StoreImports(store, imported, NAME, Set.of())), Set.of());
    }

    /** Imports the binding's certificate unless the store has it; true if imported. */
    private boolean ensureImported(Binding b, String friendlyName, Journal journal)
            throws TargetException, InterruptedException {
        if (!journal.imports.importIfMissing(b, friendlyName)) {
            return false;
        }
        store.grantKeyRead(CertStore.thumbprint(b.leaf()), settings.keyReader());
        return true;
    }

    /** Makes MailEnable's server-wide setting name the binding's certificate; true if anything changed. */
    private boolean switchServer(Binding b, String friendlyName, Journal journal)
            throws TargetException, InterruptedException {
        Optional<String> previous = registry.query(SECURITY_KEY, CERTIFICATE_VALUE);
        boolean imported = ensureImported(b, friendlyName, journal);
        boolean nameChanged = !previous.equals(Optional.of(friendlyName));
        if (!imported && !nameChanged) {
            return false;
        }
        for (String old : store.retireName(friendlyName, CertStore.thumbprint(b.leaf()))) {
            journal.renamed.put(old, friendlyName);
        }
        if (nameChanged) {
            journal.registryBefore = Optional.of(previous);
            registry.set(SECURITY_KEY, CERTIFICATE_VALUE, friendlyName);
        }
        return true;
    }

    private void restartRunning(Journal journal) throws TargetException, InterruptedException {
        journal.restarted = services.running(settings.services());
        for (String s : journal.restarted) {
            services.restart(s);
        }
    }

    private void prove(Optional<Binding> server, List<Binding> mail) throws TargetException, InterruptedException {
        List<ServedCheck.Miss> misses = served.check(settings.endpoints(), expectations(server, List.of()));
        if (!misses.isEmpty()) {
            throw missed("the new server-wide certificate is not served", misses);
        }
        if (mail.isEmpty()) {
            return;
        }
        misses = served.check(settings.endpoints(), expectations(Optional.empty(), mail));
        if (!misses.isEmpty()) {
            perDomainUnsupported = true;
            Map<String, String> errors = new LinkedHashMap<>();
            for (ServedCheck.Miss m : misses) {
                errors.merge(m.expected().bindingId(), UNSUPPORTED + ": MailEnable did not serve it by SNI ("
                        + m.describe() + "); serve one SAN certificate for all names instead (mailcert cert bundle"
                        + " HOST)", (x, y) -> x);
            }
            server.ifPresent(b -> errors.put(b.id(), "rolled back with the per-domain bindings"));
            throw new TargetException(NAME, misses.size() + " per-domain name(s) not served by SNI: " + UNSUPPORTED,
                    errors);
        }
    }

    /**
     * The per-domain names, probed with SNI at every endpoint (none once SNI handshakes showed MailEnable does
     * not serve them), and the server-wide certificate, probed without SNI; no files, no commands.
     */
    @Override
    public TargetObservation observe(List<Binding> desired) {
        Map<String, String> names = new LinkedHashMap<>();
        if (!perDomainUnsupported) {
            BindingRules.mail(desired).forEach(b -> names.putIfAbsent(b.servedName(), b.id()));
        }
        return new TargetObservation(NAME, Map.of(), List.of(), settings.endpoints(), names, !perDomainUnsupported,
                true);
    }

    private static TargetException missed(String what, List<ServedCheck.Miss> misses) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (ServedCheck.Miss m : misses) {
            errors.merge(m.expected().bindingId(), m.describe(), (a, b) -> a + "; " + b);
        }
        return new TargetException(NAME, what + ": " + misses.get(0).describe(), errors);
    }

    private static List<ServedCheck.Expectation> expectations(Optional<Binding> server, List<Binding> mail) {
        List<ServedCheck.Expectation> x = new ArrayList<>();
        server.ifPresent(b -> x.add(new ServedCheck.Expectation(Optional.empty(), b.leafSha256(), b.id())));
        for (Binding b : mail) {
            x.add(new ServedCheck.Expectation(Optional.of(b.servedName()), b.leafSha256(), b.id()));
        }
        return x;
    }

    private static Set<String> used(Optional<Binding> server, List<Binding> mail) {
        Set<String> used = new TreeSet<>();
        server.ifPresent(b -> used.add(CertStore.thumbprint(b.leaf())));
        mail.forEach(b -> used.add(CertStore.thumbprint(b.leaf())));
        return used;
    }

    /** What an apply changed, in order, so it can be undone last first. */
    private final class Journal {
        final StoreImports imports;
        final Map<String, String> renamed = new LinkedHashMap<>();
        Optional<Optional<String>> registryBefore = Optional.empty();
        List<String> restarted = List.of();

        Journal(StoreImports imports) {
            this.imports = imports;
        }

        /** Restores the registry value and names, restarts the services, removes what was imported. */
        boolean undo() {
            boolean ok = true;
            try {
                if (registryBefore.isPresent()) {
                    Optional<String> value = registryBefore.get();
                    if (value.isPresent()) {
                        registry.set(SECURITY_KEY, CERTIFICATE_VALUE, value.get());
                    } else {
                        registry.delete(SECURITY_KEY, CERTIFICATE_VALUE);
                    }
                }
                for (Map.Entry<String, String> e : renamed.entrySet()) {
                    store.restoreName(e.getKey(), e.getValue());
                }
                for (String s : restarted) {
                    services.restart(s);
                }
            } catch (TargetException e) {
                LOG.error("mailenable: restoring the previous certificate failed: {}", e.getMessage());
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return imports.undo() && ok;
        }
    }

    private static Change change(ApplyReport report, Journal journal, Set<String> used) {
        return new StoreChange(NAME, report, journal::undo, journal.imports, used);
    }
}
