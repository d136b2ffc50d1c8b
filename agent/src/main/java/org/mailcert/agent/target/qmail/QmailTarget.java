package org.mailcert.agent.target.qmail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.keychain.BindingRules;
import org.mailcert.agent.target.keychain.Installer;
import org.mailcert.agent.target.keychain.KeyChainFiles;
import org.mailcert.agent.target.keychain.Manifest;
import org.mailcert.agent.target.keychain.Ownership;
import org.mailcert.agent.target.keychain.SniSupport;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.mail.SniName;
import org.mailcert.agent.target.mail.Steps;
import org.mailcert.agent.target.mail.TargetFacts;

/**
 * Installs certificates for qmail with the TLS patch (netqmail, notqmail, sagredo). The server-wide
 * binding goes to {@code control/servercert.pem} (key, leaf, chain), keeping that file's owner,
 * group and mode; a new file takes those of {@code control/clientcert.pem}, else {@code root 0600}.
 * qmail reads the file on each connection, so nothing is reloaded. Per-domain bindings are served
 * only with sagredo's SNI layout, {@code control/servercerts/<name>/servercert.pem}, detected by that
 * directory existing (or forced by {@link QmailSettings#sni()}); otherwise they are refused. Per-name
 * files of names no longer wanted are removed if this target created them (listed in {@code
 * control/servercerts/.mailcert-manifest}). The server-wide file is never removed. A key file keeps its
 * owner, group and mode, except that others lose any access to it. Not thread-safe, except that
 * {@link #observe} may run beside an apply.
 */
public final class QmailTarget implements Target, Inspectable, Observable {
    /** The target's name. */
    public static final String NAME = "qmail";
    static final String SERVERCERT = "servercert.pem";
    static final String CLIENTCERT = "clientcert.pem";
    static final String SERVERCERTS = "servercerts";
    static final String MANIFEST = ".mailcert-manifest";

    private final QmailSettings settings;
    private final Path control;
    private final Installer installer;
    /** Whether the last apply served per-domain names from {@code control/servercerts/}. */
    private volatile boolean servedPerDomain;

    /**
     * Creates the target.
     *
     * @param settings where qmail lives and how to probe it
     * @param probe does the handshakes
     */
    public QmailTarget(QmailSettings settings, TlsProbe probe) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.control = settings.root().toAbsolutePath().normalize().resolve("control");
        this.installer = new Installer(NAME, new ServedCheck(probe, settings.deadline()));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Change apply(List<Binding> desired) throws TargetException {
        Optional<Binding> server = BindingRules.server(desired, NAME);
        List<Binding> mail = BindingRules.mail(desired);
        boolean perDomain = perDomainSni();
        if (!mail.isEmpty() && !perDomain) {
            BindingRules.refuseMail(mail, NAME, "no " + control.resolve(SERVERCERTS) + " directory, as sagredo's"
                    + " SNI patch uses", server);
        }
        List<SniName> names = BindingRules.exactNames(desired, NAME);
        Steps.reached("qmail.validated");
        try {
            Change change = installer.install(plan(server, names, perDomain), reported(server, mail));
            servedPerDomain = perDomain && !names.isEmpty();
            return change;
        } catch (IOException e) {
            throw new TargetException(NAME, "cannot read " + control + ": " + e.getMessage(), Map.of(), true, e);
        }
    }

    /** Whether per-domain certificates are served, per the settings and sagredo's directory. */
    boolean perDomainSni() {
        return switch (settings.sni()) {
            case ON -> true;
            case OFF -> false;
            case DETECT -> Files.isDirectory(control.resolve(SERVERCERTS));
        };
    }

    /**
     * What qmail has of {@code desired}, for a drift cycle: the files an apply of {@code desired}
     * writes ({@code servercert.pem}, and with sagredo's layout one per exact name and the manifest),
     * whether {@code control/servercerts/} is still there when the last apply served names from it,
     * and the configured TLS ports with the names to probe. Without the SNI layout, per-domain
     * bindings are observed without files and {@code perDomain} is false. Reads files only.
     */
    @Override
    public TargetObservation observe(List<Binding> desired) throws TargetException {
        Optional<Binding> server = BindingRules.server(desired, NAME);
        boolean perDomain = perDomainSni();
        List<SniName> names = perDomain ? BindingRules.exactNames(desired, NAME) : List.of();
        List<Observed.Config> configs = new ArrayList<>();
        Path servercerts = control.resolve(SERVERCERTS);
        if (servedPerDomain) {
            configs.add(new Observed.Config(NAME, servercerts + "/ (sagredo's SNI layout)", "directory",
                    Files.isDirectory(servercerts) ? Optional.of("directory") : Optional.empty()));
        }
        try {
            return KeyChainFiles.observation(NAME, plan(server, names, perDomain), perDomain,
                    perDomain ? List.of() : BindingRules.mail(desired), configs);
        } catch (IOException e) {
            throw new TargetException(NAME, "cannot read " + control + ": " + e.getMessage());
        }
    }

    /** {@code control/rcpthosts} and {@code control/virtualdomains}: the domains. */
    @Override
    public List<Path> factSources() {
        return List.of(control.resolve("rcpthosts"), control.resolve("virtualdomains"));
    }

    /** The control directory, whose {@code servercerts/} turns per-domain certificates on, and that directory. */
    @Override
    public List<Path> watched() {
        return List.of(control, control.resolve(SERVERCERTS));
    }

    private Installer.Plan plan(Optional<Binding> server, List<SniName> names, boolean perDomain)
            throws IOException, TargetException {
        Path servercert = control.resolve(SERVERCERT);
        Ownership serverOwnership = Ownership.of(servercert).or(() -> ownershipOf(control.resolve(CLIENTCERT)))
                .orElse(Ownership.root(control, "rw-------"));
        Ownership controlOwnership = Ownership.of(control).orElse(Ownership.root(control, "rwxr-xr-x"));
        List<Installer.FileWrite> writes = new ArrayList<>();
        server.ifPresent(b -> writes.add(KeyChainFiles.write(servercert, b, serverOwnership, controlOwnership)));
        if (!perDomain) {
            return new Installer.Plan(writes, Map.of(), List.of(), null, Set.of(), serverOwnership, endpoints(),
                    expectations(server, names));
        }
        Path servercerts = control.resolve(SERVERCERTS);
        Ownership dirOwnership = Ownership.of(servercerts).orElse(controlOwnership);
        Set<String> wanted = new TreeSet<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (SniName n : names) {
            Path file = nameFile(servercerts, n.name());
            if (file == null) {
                errors.put(n.binding().id(), "served name " + n.name() + " does not make a directory under "
                        + servercerts);
                continue;
            }
            wanted.add(n.name());
            Ownership own = Ownership.of(file).orElse(serverOwnership);
            writes.add(KeyChainFiles.write(file, n.binding(), own, dirOwnership));
        }
        if (!errors.isEmpty()) {
            throw new TargetException(NAME, errors.size() + " binding(s) refused; nothing was written", errors);
        }
        Manifest manifest = new Manifest(servercerts.resolve(MANIFEST),
                "Names whose servercerts/<name>/servercert.pem mailcert-agent manages.");
        Map<String, List<Path>> removals = new LinkedHashMap<>();
        List<Path> prune = new ArrayList<>();
        for (String old : manifest.read()) {
            Path file = nameFile(servercerts, old);
            if (!wanted.contains(old) && file != null) {
                removals.put(old, List.of(file));
                prune.add(file.getParent());
            }
        }
        Ownership manifestOwnership = Ownership.of(manifest.file()).orElse(Ownership.root(control, "rw-r--r--"));
        return new Installer.Plan(writes, removals, prune, manifest, wanted, manifestOwnership, endpoints(),
                expectations(server, names));
    }

    /** {@code servercerts/<name>/servercert.pem}, or null if the name would leave that directory. */
    private static Path nameFile(Path servercerts, String name) {
        Path dir = servercerts.resolve(name).normalize();
        return dir.getParent().equals(servercerts) ? dir.resolve(SERVERCERT) : null;
    }

    private static Optional<Ownership> ownershipOf(Path file) {
        try {
            return Ownership.of(file);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private List<Endpoint> endpoints() {
        return settings.endpoints();
    }

    private static List<ServedCheck.Expectation> expectations(Optional<Binding> server, List<SniName> names) {
        List<ServedCheck.Expectation> x = new ArrayList<>();
        server.ifPresent(b -> x.add(new ServedCheck.Expectation(Optional.empty(), b.leafSha256(), b.id())));
        for (SniName n : names) {
            x.add(new ServedCheck.Expectation(Optional.of(n.name()), n.binding().leafSha256(), n.binding().id()));
        }
        return x;
    }

    private static List<Binding> reported(Optional<Binding> server, List<Binding> mail) {
        List<Binding> all = new ArrayList<>();
        server.ifPresent(all::add);
        all.addAll(mail);
        return all;
    }

    @Override
    public TargetFacts inspect() {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(control)) {
            problems.add("no qmail control directory " + control);
        } else if (!Files.isRegularFile(control.resolve(SERVERCERT))) {
            problems.add("no " + control.resolve(SERVERCERT) + ": qmail-smtpd serves no TLS until one is installed");
        }
        List<String> domains = new QmailDomains(control).read(problems);
        return new TargetFacts(NAME, "", perDomainSni(), settings.endpoints(), domains, problems);
    }
}
