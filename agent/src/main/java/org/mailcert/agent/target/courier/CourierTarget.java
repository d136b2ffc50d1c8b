package org.mailcert.agent.target.courier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandException;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.keychain.BindingRules;
import org.mailcert.agent.target.keychain.Installer;
import org.mailcert.agent.target.keychain.Manifest;
import org.mailcert.agent.target.keychain.Ownership;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.mail.SniName;
import org.mailcert.agent.target.mail.Steps;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.agent.target.keychain.KeyChainFiles;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;

/**
 * Installs certificates for Courier (IMAP, POP3, ESMTP through couriertls). The server-wide binding
 * is written to every file a {@code TLS_CERTFILE} setting names (key and chain in one file), keeping
 * each file's owner, group and mode; a new file gets the configuration directory's owner and group
 * with mode 0640 (Debian: {@code root:courier 0640}). Where couriertls supports SNI (see {@link
 * CourierSettings#sni()}), each per-domain name gets {@code $TLS_CERTFILE.<name>} beside every such
 * file; otherwise per-domain bindings are refused. couriertls reads the files on each connection, so
 * nothing is reloaded. couriertls falls back from a name to the files of its parent domains, so when
 * a per-name file would capture the server's own name, that name gets a file with the server-wide
 * certificate. Per-name files of names no longer wanted are removed if this target created
 * them (listed in {@code <configDir>/.mailcert-manifest}). A key file keeps its owner, group and
 * mode, except that others lose any access to it. Not thread-safe, except that {@link #observe} may
 * run beside an apply.
 */
public final class CourierTarget implements Target, Inspectable, Observable {
    /** The target's name. */
    public static final String NAME = "courier";
    static final String MANIFEST = ".mailcert-manifest";
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

    private final CourierSettings settings;
    private final Path configDir;
    private final CommandRunner runner;
    private final Installer installer;
    /**
     * Each configuration file's {@code TLS_CERTFILE} as the last apply found and served it; empty
     * before the first apply of this process.
     */
    private volatile Map<String, String> appliedCertFiles = Map.of();

    /**
     * Creates the target.
     *
     * @param settings where Courier lives and how to probe it
     * @param runner runs {@code dpkg-query} for the version (inspect only)
     * @param probe does the handshakes
     */
    public CourierTarget(CourierSettings settings, CommandRunner runner, TlsProbe probe) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.configDir = settings.configDir().toAbsolutePath().normalize();
        this.runner = Objects.requireNonNull(runner, "runner");
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
        CourierSni.Support sni = CourierSni.of(settings);
        if (!mail.isEmpty() && !sni.supported()) {
            BindingRules.refuseMail(mail, NAME, sni.reason(), server);
        }
        List<SniName> names = BindingRules.exactNames(desired, NAME);
        CourierLayout layout;
        try {
            layout = CourierLayout.read(configDir, settings.probeAddress());
        } catch (IOException e) {
            throw new TargetException(NAME, "cannot read the configuration in " + configDir + ": " + e.getMessage(),
                    Map.of(), true, e);
        }
        if (layout.certFiles().isEmpty() && (server.isPresent() || !names.isEmpty())) {
            Map<String, String> errors = new LinkedHashMap<>();
            for (Binding b : desired) {
                errors.put(b.id(), "no TLS_CERTFILE set in " + String.join(", ", CourierLayout.TLS_CONFIGS) + " under "
                        + configDir);
            }
            throw new TargetException(NAME, "no TLS_CERTFILE in Courier's configuration; nothing was written", errors);
        }
        Steps.reached("courier.validated");
        List<Binding> reported = new ArrayList<>();
        server.ifPresent(reported::add);
        reported.addAll(mail);
        try {
            Change change = installer.install(plan(layout, server, names, sni.supported()), reported);
            appliedCertFiles = layout.certFileSettings();
            return change;
        } catch (IOException e) {
            throw new TargetException(NAME, "cannot read " + configDir + ": " + e.getMessage(), Map.of(), true, e);
        }
    }

    /**
     * What Courier has of {@code desired}, for a drift cycle: the files an apply of {@code desired}
     * writes (the server-wide one at every {@code TLS_CERTFILE}, the per-name ones beside them and
     * the manifest), each {@code TLS_CERTFILE} setting against the one the last apply served (Courier's
     * own settings, which an apply follows rather than writes: none before this process's first
     * apply), and the enabled TLS ports with the names to probe. Without SNI support, per-domain
     * bindings are observed without files and {@code perDomain} is false. Reads files only; runs nothing.
     *
     * @throws TargetException if the configuration cannot be read, or names no certificate file at all
     *     while the last apply's settings are unknown
     */
    @Override
    public TargetObservation observe(List<Binding> desired) throws TargetException {
        Optional<Binding> server = BindingRules.server(desired, NAME);
        boolean perDomain = CourierSni.of(settings).supported();
        List<SniName> names = perDomain ? BindingRules.exactNames(desired, NAME) : List.of();
        try {
            CourierLayout layout = CourierLayout.read(configDir, settings.probeAddress());
            List<Observed.Config> configs = certFileConfigs(layout);
            if (layout.certFiles().isEmpty() && configs.isEmpty() && (server.isPresent() || !names.isEmpty())) {
                throw new TargetException(NAME, "no TLS_CERTFILE set in " + String.join(", ", CourierLayout.TLS_CONFIGS)
                        + " under " + configDir);
            }
            return KeyChainFiles.observation(NAME, plan(layout, server, names, perDomain), perDomain,
                    perDomain ? List.of() : BindingRules.mail(desired), configs);
        } catch (IOException e) {
            throw new TargetException(NAME, "cannot read the configuration in " + configDir + ": " + e.getMessage());
        }
    }

    /**
     * Each {@code TLS_CERTFILE} setting the last apply served or Courier has now, against the other:
     * one the last apply did not see is expected unset ("").
     */
    private List<Observed.Config> certFileConfigs(CourierLayout layout) {
        Map<String, String> applied = appliedCertFiles;
        if (applied.isEmpty()) {
            return List.of();
        }
        Map<String, String> now = layout.certFileSettings();
        List<Observed.Config> configs = new ArrayList<>();
        for (String config : CourierLayout.TLS_CONFIGS) {
            if (applied.containsKey(config) || now.containsKey(config)) {
                configs.add(new Observed.Config(NAME, configDir.resolve(config) + " TLS_CERTFILE",
                        applied.getOrDefault(config, ""), Optional.ofNullable(now.get(config))));
            }
        }
        return configs;
    }

    /** The configuration files (ports, SNI) and {@code hosteddomains} and {@code locals} (domains). */
    @Override
    public List<Path> factSources() {
        List<Path> out = new java.util.ArrayList<>(watched());
        out.add(configDir.resolve("hosteddomains"));
        out.add(configDir.resolve("locals"));
        return out;
    }

    /** The configuration files that say which certificate files and ports Courier uses. */
    @Override
    public List<Path> watched() {
        return CourierLayout.CONFIGS.stream().map(configDir::resolve).toList();
    }

    private Installer.Plan plan(CourierLayout layout, Optional<Binding> server, List<SniName> names, boolean perDomain)
            throws IOException, TargetException {
        Ownership dirOwnership = Ownership.of(configDir).orElse(Ownership.root(configDir, "rwxr-xr-x"));
        Ownership fresh = dirOwnership.withMode("rw-r-----");
        List<Installer.FileWrite> writes = new ArrayList<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Set<String> wanted = new TreeSet<>();
        for (Path base : layout.certFiles().keySet()) {
            Ownership baseOwnership = Ownership.of(base).orElse(fresh);
            server.ifPresent(b -> writes.add(KeyChainFiles.write(base, b, baseOwnership, dirOwnership)));
            for (SniName n : names) {
                Path file = nameFile(base, n.name());
                if (file == null) {
                    errors.put(n.binding().id(), "served name " + n.name() + " does not make a file beside " + base);
                    continue;
                }
                wanted.add(n.name());
                writes.add(KeyChainFiles.write(file, n.binding(), Ownership.of(file).orElse(baseOwnership),
                        dirOwnership));
            }
        }
        if (!errors.isEmpty()) {
            throw new TargetException(NAME, errors.size() + " binding(s) refused; nothing was written", errors);
        }
        Optional<String> shadowed = shadowedServerName(server, names);
        List<ServedCheck.Expectation> expectations = new ArrayList<>(expectations(server, names));
        if (shadowed.isPresent()) {
            Binding b = server.orElseThrow();
            for (Path base : layout.certFiles().keySet()) {
                Path file = nameFile(base, shadowed.get());
                if (file != null) {
                    writes.add(KeyChainFiles.write(file, b, Ownership.of(file).orElse(Ownership.of(base)
                            .orElse(fresh)), dirOwnership));
                }
            }
            wanted.add(shadowed.get());
            expectations.add(new ServedCheck.Expectation(shadowed, b.leafSha256(), b.id()));
        }
        Manifest manifest = new Manifest(configDir.resolve(MANIFEST),
                "Names whose $TLS_CERTFILE.<name> files mailcert-agent manages.");
        Map<String, List<Path>> removals = new LinkedHashMap<>();
        for (String old : manifest.read()) {
            if (wanted.contains(old)) {
                continue;
            }
            List<Path> files = new ArrayList<>();
            for (Path base : layout.certFiles().keySet()) {
                Optional.ofNullable(nameFile(base, old)).ifPresent(files::add);
            }
            removals.put(old, files);
        }
        boolean keepManifest = perDomain || !removals.isEmpty() || Files.exists(manifest.file());
        Ownership manifestOwnership = Ownership.of(manifest.file()).orElse(Ownership.root(configDir, "rw-r--r--"));
        return new Installer.Plan(writes, removals, List.of(), keepManifest ? manifest : null, wanted,
                manifestOwnership, layout.endpoints(), expectations);
    }

    /**
     * The server's own name when a per-name file of one of its parent domains would capture it:
     * couriertls looks up {@code $TLS_CERTFILE.<sni>} and then the files of each parent domain, so
     * with {@code imapd.pem.example.com} in place a client asking for {@code mx1.example.com} would
     * get the per-domain certificate. A file of its own for the server name keeps the server-wide
     * certificate there.
     */
    private static Optional<String> shadowedServerName(Optional<Binding> server, List<SniName> names) {
        if (server.isEmpty()) {
            return Optional.empty();
        }
        String host;
        try {
            host = DnsNames.hostname(server.get().servedName());
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        boolean own = names.stream().anyMatch(n -> n.name().equals(host));
        boolean captured = names.stream().anyMatch(n -> host.endsWith("." + n.name()));
        return !own && captured ? Optional.of(host) : Optional.empty();
    }

    /** {@code <base>.<name>} in the base's directory, or null if the name would leave it. */
    private static Path nameFile(Path base, String name) {
        Path file = base.resolveSibling(base.getFileName() + "." + name).normalize();
        return file.getParent().equals(base.getParent()) ? file : null;
    }

    private static List<ServedCheck.Expectation> expectations(Optional<Binding> server, List<SniName> names) {
        List<ServedCheck.Expectation> x = new ArrayList<>();
        server.ifPresent(b -> x.add(new ServedCheck.Expectation(Optional.empty(), b.leafSha256(), b.id())));
        for (SniName n : names) {
            x.add(new ServedCheck.Expectation(Optional.of(n.name()), n.binding().leafSha256(), n.binding().id()));
        }
        return x;
    }

    @Override
    public TargetFacts inspect() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        CourierSni.Support sni = CourierSni.of(settings);
        List<Endpoint> endpoints = List.of();
        try {
            CourierLayout layout = CourierLayout.read(configDir, settings.probeAddress());
            problems.addAll(layout.problems());
            endpoints = layout.endpoints();
            if (layout.certFiles().isEmpty()) {
                problems.add("no TLS_CERTFILE in " + String.join(", ", CourierLayout.TLS_CONFIGS) + " under " + configDir);
            }
        } catch (IOException e) {
            problems.add("cannot read the configuration in " + configDir + ": " + e.getMessage());
        }
        List<String> domains = new CourierDomains(configDir).read(problems);
        return new TargetFacts(NAME, version(), sni.supported(), endpoints, domains, problems);
    }

    /** Courier's package version from dpkg; "" where there is no dpkg or no package. */
    private String version() throws InterruptedException {
        try {
            CommandResult r = runner.run(new Command(List.of("dpkg-query", "-W", "-f=${Version}", "courier-base"),
                    Map.of(), VERSION_TIMEOUT));
            return r.succeeded() ? r.stdout().strip() : "";
        } catch (CommandException e) {
            return "";
        }
    }
}
