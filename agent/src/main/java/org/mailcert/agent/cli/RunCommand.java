package org.mailcert.agent.cli;

import org.mailcert.agent.drift.DriftCycle;
import org.mailcert.agent.drift.DriftPolicy;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.ServedObserver;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.sync.DriftSettings;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.courier.CourierSettings;
import org.mailcert.agent.target.courier.CourierTarget;
import org.mailcert.agent.target.dovecot.DovecotSettings;
import org.mailcert.agent.target.dovecot.DovecotTarget;
import org.mailcert.agent.target.keychain.SniSupport;
import org.mailcert.agent.target.postfix.PostfixSettings;
import org.mailcert.agent.target.nginx.NginxSettings;
import org.mailcert.agent.target.nginx.NginxTarget;
import org.mailcert.agent.target.postfix.PostfixTarget;
import org.mailcert.agent.target.qmail.QmailSettings;
import org.mailcert.agent.target.qmail.QmailTarget;
import org.mailcert.agent.target.iis.IisSettings;
import org.mailcert.agent.target.iis.IisTarget;
import org.mailcert.agent.target.mailenable.MailEnableSettings;
import org.mailcert.agent.target.mailenable.MailEnableTarget;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.agent.transport.TlsChannels;
import org.mailcert.common.config.Durations;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mailcert.agent.AgentException;
import org.mailcert.agent.AgentVersion;
import org.mailcert.agent.exec.CommandLines;
import org.mailcert.agent.facts.FactsSource;
import org.mailcert.agent.facts.HostFactsReader;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.StateStore;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.agent.sync.SyncClient;
import org.mailcert.agent.sync.SyncResult;
import org.mailcert.agent.sync.SyncSettings;
import org.mailcert.agent.sync.SystemScheduler;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetSet;
import org.mailcert.agent.target.files.FilesTarget;
import org.mailcert.agent.transport.GrpcControllerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailcert-agent run}: the service. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = {"Run the agent (the service).",
            "Keeps the Sync stream to the controller, installs the desired certificates and keeps enforcing",
            "the last applied state while the controller is away.",
            "Every option can also be set in the --config file (YAML, names without the dashes)."})
final class RunCommand implements Callable<Integer> {
    /** Every target name the project knows. */
    static final List<String> KNOWN_TARGETS = List.of("files", "postfix", "dovecot", "nginx", "qmail", "courier",
            "mailenable", "iis");
    /** The targets this build has. */
    static final List<String> AVAILABLE_TARGETS = List.of(FilesTarget.NAME, PostfixTarget.NAME, DovecotTarget.NAME,
            QmailTarget.NAME, CourierTarget.NAME, NginxTarget.NAME, MailEnableTarget.NAME, IisTarget.NAME);
    /** The targets that run only on Windows. */
    static final List<String> WINDOWS_TARGETS = List.of(MailEnableTarget.NAME, IisTarget.NAME);
    static final Set<String> PROBE_SERVICES = Set.of("smtp", "submission", "smtps", "imap", "imaps", "pop3", "pop3s",
            "https");
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    /** How many drift handshakes run at once. */
    static final int DRIFT_PROBES_AT_ONCE = 8;
    /** How long one drift cycle's handshakes may take in all. */
    static final Duration DRIFT_PROBE_DEADLINE = Duration.ofSeconds(8);
    /** How long inspected host facts are reused for the Hello of a reconnect. */
    static final Duration FACTS_MAX_AGE = Duration.ofMinutes(5);

    @ParentCommand
    AgentMain main;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file whose keys are these options' names.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./var/agent",
            description = "Identity and state (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--mode", paramLabel = "enforce|report", defaultValue = "enforce",
            description = "Repair drift (default) or only report it.")
    String mode;

    @Option(names = "--target", paramLabel = "NAME", split = ",",
            description = "Target to install into (repeatable): files, postfix, dovecot, qmail, courier, nginx"
                    + " (webmail), mailenable, iis (Windows webmail). Default: files when --files-dir is given.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--files-dir", paramLabel = "DIR",
            description = "The files target: DIR/live/<served-name>/fullchain.pem, privkey.pem, cert.pem, chain.pem.")
    Path filesDir;

    @Option(names = "--files-command", paramLabel = "CMD",
            description = "Run after the files changed (no shell; MAILCERT_CHANGED holds the changed names).")
    String filesCommand;

    @Option(names = "--postfix-config-dir", paramLabel = "DIR", defaultValue = "/etc/postfix",
            description = "Postfix's configuration directory (default: ${DEFAULT-VALUE}).")
    Path postfixConfigDir;

    @Option(names = "--dovecot-config", paramLabel = "FILE", defaultValue = "/etc/dovecot/dovecot.conf",
            description = "Dovecot's configuration; the agent's include is conf.d/99-mailcert.conf beside it"
                    + " (default: ${DEFAULT-VALUE}).")
    Path dovecotConfig;

    @Option(names = "--qmail-dir", paramLabel = "DIR", defaultValue = "/var/qmail",
            description = "qmail's directory: control/servercert.pem, control/servercerts/ (default: ${DEFAULT-VALUE}).")
    Path qmailDir;

    @Option(names = "--qmail-sni", paramLabel = "detect|on|off", defaultValue = "detect",
            description = "Per-domain certificates for qmail: detect (control/servercerts/ exists), on or off"
                    + " (default: ${DEFAULT-VALUE}).")
    String qmailSni;

    @Option(names = "--courier-config-dir", paramLabel = "DIR", defaultValue = "/etc/courier",
            description = "Courier's configuration: TLS_CERTFILE in imapd-ssl, pop3d-ssl, esmtpd, esmtpd-ssl"
                    + " (default: ${DEFAULT-VALUE}).")
    Path courierConfigDir;

    @Option(names = "--courier-sni", paramLabel = "detect|on|off", defaultValue = "detect",
            description = "Per-domain certificates for Courier: detect (couriertls supports SNI), on or off"
                    + " (default: ${DEFAULT-VALUE}).")
    String courierSni;

    @Option(names = "--probe-deadline", paramLabel = "DURATION", defaultValue = "15s",
            converter = Durations.Converter.class,
            description = "How long a service may take after a reload to serve the new certificate"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration probeDeadline;

    @Option(names = "--nginx-config-dir", paramLabel = "DIR", defaultValue = "/etc/nginx",
            description = "nginx's configuration: nginx.conf there must include conf.d/mailcert-webmail.conf, which the"
                    + " agent writes (Debian's includes conf.d/*.conf); keys go to mailcert/ there (default: ${DEFAULT-VALUE}).")
    Path nginxConfigDir;

    @Option(names = "--nginx-listen", paramLabel = "PORT|ADDRESS:PORT", defaultValue = "443", split = ",",
            description = "What the webmail server blocks listen on, one listen line each (repeatable; 443,[::]:443"
                    + " for IPv4 and IPv6; default: ${DEFAULT-VALUE}). Each is probed after a change.")
    List<String> nginxListen;

    @Option(names = "--webmail-upstream", paramLabel = "URL",
            description = "The webmail application nginx proxies to, e.g. http://127.0.0.1:8080 (Roundcube, SOGo, ...).")
    String webmailUpstream;

    @Option(names = "--webmail-root", paramLabel = "DIR",
            description = "Or: the webmail application's files, served by nginx as they are.")
    Path webmailRoot;

    // --- Windows targets (mailenable, iis) ---
    @Option(names = "--mailenable-probe-port", paramLabel = "SERVICE=PORT", split = ",",
            description = "MailEnable TLS services to probe after a change (default: smtp=25,imaps=993).")
    Map<String, String> mailEnablePorts = new LinkedHashMap<>();

    @Option(names = "--mailenable-key-reader", paramLabel = "ACCOUNT", defaultValue = MailEnableSettings.KEY_READER,
            description = "The account MailEnable's services run as, allowed to read the key (default: ${DEFAULT-VALUE}).")
    String mailEnableKeyReader;

    @Option(names = "--iis-webmail-path", paramLabel = "DIR", defaultValue = IisSettings.WEBMAIL_PATH,
            description = "The physical path of the IIS site serving MailEnable's webmail; the site is found by it"
                    + " (default: ${DEFAULT-VALUE}).")
    String iisWebmailPath;

    @Option(names = "--iis-address", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Where the IIS webmail names are probed (default: ${DEFAULT-VALUE}).")
    String iisAddress;

    @Option(names = "--iis-port", paramLabel = "PORT", defaultValue = "443",
            description = "The HTTPS port of the IIS webmail bindings, also probed (default: ${DEFAULT-VALUE}).")
    String iisPort;
    // --- end Windows targets ---

    @Option(names = "--probe-address", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Where live handshakes go (default: ${DEFAULT-VALUE}).")
    String probeAddress;

    @Option(names = "--probe-port", paramLabel = "SERVICE=PORT", split = ",",
            description = "Probe port per service (repeatable), for software whose configuration does not say"
                    + " which ports serve TLS (qmail).")
    Map<String, String> probePorts = new LinkedHashMap<>();

    @Option(names = "--drift-interval", paramLabel = "DURATION", defaultValue = "5m",
            converter = Durations.Converter.class,
            description = "How often drift checks run, each wait jittered by a tenth (default: ${DEFAULT-VALUE}).")
    Duration driftInterval;

    @Option(names = "--drift-probes", paramLabel = "N", defaultValue = "64",
            description = "Live handshakes one drift cycle makes at most; names that do not fit are probed in later"
                    + " cycles (default: ${DEFAULT-VALUE}).")
    int driftProbes;

    @Option(names = "--drift-watch", paramLabel = "true|false", defaultValue = "true", arity = "1",
            description = "Run a drift cycle soon after a managed file changes on disk (default: ${DEFAULT-VALUE}).")
    boolean driftWatch;

    @Option(names = "--expiring-within", paramLabel = "DURATION", defaultValue = "21d",
            converter = Durations.Converter.class,
            description = "A certificate is Expiring this long before its end, or a third of its lifetime before"
                    + " if that is shorter (default: ${DEFAULT-VALUE}).")
    Duration expiringWithin;

    @Option(names = "--extra-roots", paramLabel = "FILE",
            description = "PEM roots trusted besides the JDK's when judging whether a served chain is trusted.")
    Path extraRoots;

    @Option(names = "--start-delay", paramLabel = "DURATION", defaultValue = "5s",
            converter = Durations.Converter.class,
            description = "Upper bound of the random delay before the first connection (default: ${DEFAULT-VALUE}).")
    Duration startDelay;

    @Option(names = "--keepalive", paramLabel = "DURATION", defaultValue = "30s",
            converter = Durations.Converter.class,
            description = "Ping the controller after this long without traffic; at least 10s (default: ${DEFAULT-VALUE}).")
    Duration keepalive;

    @Option(names = "--keepalive-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Durations.Converter.class,
            description = "Reconnect when a ping is not answered within this (default: ${DEFAULT-VALUE}).")
    Duration keepaliveTimeout;

    @Override
    public Integer call() throws Exception {
        RunOptions options = options();
        IdentityStore identities = new IdentityStore(options.dataDir());
        Identity identity = identities.load();
        List<Target> chosen = targets(options);
        TargetSet targets = new TargetSet(chosen);
        LOG.info("host {}: mailcert-agent {} starting; controller {}, targets {}, data dir {}", identity.host(),
                AgentVersion.current(), identity.settings().controller(), String.join(",", targets.names()),
                options.dataDir());

        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailcert-agent-timer");
            t.setDaemon(true);
            return t;
        });
        SecureRandom random = new SecureRandom();
        SyncClient client = new SyncClient(new SyncSettings(options.startDelay(), FactsSource.cached(HostFactsReader.of(chosen),
                        FACTS_MAX_AGE, main.services.clock())),
                identities, new StateStore(options.dataDir()), new StatusStore(options.dataDir()), targets,
                new GrpcControllerLink(main.services.channels().apply(options.keepalive(), options.keepaliveTimeout())), new SystemScheduler(executor),
                main.services.clock(), random::nextDouble, Optional.of(drift(options, chosen)));
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            client.stop();
            try {
                finished.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mailcert-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        SyncResult result;
        try {
            result = client.run();
            if (result.reason() == SyncResult.Reason.STOPPED) {
                // Logged before the shutdown hook is released: once it returns, the JVM halts.
                LOG.info("host {}: mailcert-agent stopped", identity.host());
            }
        } finally {
            finished.countDown();
            executor.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is what stopped us
            }
        }
        if (result.reason() == SyncResult.Reason.REENROLL_REQUIRED) {
            throw new AgentException(result.message());
        }
        return 0;
    }

    /** Validates the options; anything wrong is a usage error naming the option. */
    RunOptions options() {
        RunOptions.Mode m;
        try {
            m = RunOptions.Mode.valueOf(mode.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw usage("--mode must be enforce or report, not '" + mode + "'");
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String t : targets) {
            String name = t.strip().toLowerCase(Locale.ROOT);
            if (!KNOWN_TARGETS.contains(name)) {
                throw usage("unknown target '" + t + "'; known: " + String.join(", ", KNOWN_TARGETS));
            }
            if (!AVAILABLE_TARGETS.contains(name)) {
                throw usage("the " + name + " target is not available in this build of mailcert-agent (available: "
                        + String.join(", ", AVAILABLE_TARGETS) + ")");
            }
            chosen.add(name);
        }
        if (chosen.isEmpty() && filesDir != null) {
            chosen.add(FilesTarget.NAME);
        }
        if (chosen.isEmpty()) {
            throw usage("no target to install certificates into: give --target (e.g. --target postfix,dovecot) or"
                    + " --files-dir DIR (the files target)");
        }
        Optional<String> windowsOnly = WINDOWS_TARGETS.stream().filter(chosen::contains).findFirst();
        if (windowsOnly.isPresent() && !Platform.current().windows()) {
            throw usage("the " + windowsOnly.get() + " target runs only on Windows, not on " + Platform.current().osName());
        }
        if (chosen.contains(IisTarget.NAME)) {
            port("--iis-port", iisPort);
            if (iisWebmailPath.isBlank()) {
                throw usage("--iis-webmail-path must not be empty");
            }
        }
        if (chosen.contains(FilesTarget.NAME) && filesDir == null) {
            throw usage("--target files needs --files-dir DIR");
        }
        if (filesCommand != null && !chosen.contains(FilesTarget.NAME)) {
            throw usage("--files-command needs the files target (--files-dir DIR)");
        }
        List<String> command = List.of();
        if (filesCommand != null && !filesCommand.isBlank()) {
            try {
                command = CommandLines.split(filesCommand);
            } catch (IllegalArgumentException e) {
                throw usage("--files-command: " + e.getMessage());
            }
        }
        Map<String, Integer> ports = ports("--probe-port", probePorts);
        if (driftInterval.isZero()) {
            throw usage("--drift-interval must be positive");
        }
        if (driftProbes < 1 || driftProbes > 10_000) {
            throw usage("--drift-probes must be between 1 and 10000, not " + driftProbes);
        }
        if (expiringWithin.isZero()) {
            throw usage("--expiring-within must be positive");
        }
        if (extraRoots != null && !java.nio.file.Files.isReadable(extraRoots)) {
            throw usage("--extra-roots: cannot read " + extraRoots);
        }
        if (keepalive.compareTo(TlsChannels.KEEPALIVE_MIN) < 0) {
            throw usage("--keepalive must be at least " + TlsChannels.KEEPALIVE_MIN.toSeconds()
                    + "s (gRPC does not ping more often), not " + keepalive.toMillis() + " ms");
        }
        if (keepaliveTimeout.isZero()) {
            throw usage("--keepalive-timeout must be positive");
        }
        if (probeDeadline.isZero()) {
            throw usage("--probe-deadline must be positive");
        }
        Optional<NginxSettings> nginx = chosen.contains(NginxTarget.NAME) ? Optional.of(nginx()) : Optional.empty();
        RunOptions.Mail mail = new RunOptions.Mail(postfixConfigDir, dovecotConfig, qmailDir, sni("--qmail-sni", qmailSni),
                courierConfigDir, sni("--courier-sni", courierSni), probeAddress, ports, probeDeadline);
        return new RunOptions(dataDir, m, List.copyOf(chosen), Optional.ofNullable(filesDir), command, mail,
                nginx, new RunOptions.Drift(driftInterval, driftProbes, driftWatch, expiringWithin,
                        Optional.ofNullable(extraRoots)), startDelay, keepalive, keepaliveTimeout);
    }

    /** The nginx target's settings: exactly one of --webmail-upstream and --webmail-root. */
    private NginxSettings nginx() {
        if ((webmailUpstream == null) == (webmailRoot == null)) {
            throw usage("--target nginx needs either --webmail-upstream URL or --webmail-root DIR (the webmail application)");
        }
        try {
            NginxSettings.Upstream upstream = webmailUpstream != null
                    ? new NginxSettings.Proxy(java.net.URI.create(webmailUpstream.strip()))
                    : new NginxSettings.Root(webmailRoot);
            return new NginxSettings(NginxSettings.NGINX, nginxConfigDir.resolve("nginx.conf"),
                    nginxConfigDir.resolve("conf.d").resolve("mailcert-webmail.conf"), nginxConfigDir.resolve("mailcert"),
                    nginxListen.stream().map(String::strip).toList(), upstream, probeDeadline);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** How drift is checked: every chosen target that can be observed, with live handshakes bounded. */
    private DriftSettings drift(RunOptions options, List<Target> chosen) throws AgentException {
        RunOptions.Drift d = options.drift();
        Optional<TrustChecker> trust = Optional.of(TrustChecker.withJdkRoots());
        if (d.extraRoots().isPresent()) {
            Path file = d.extraRoots().get();
            try {
                trust = Optional.of(new TrustChecker(Pem.readCertificates(java.nio.file.Files.readAllBytes(file))));
            } catch (BadMaterialException | java.io.IOException e) {
                throw new AgentException("--extra-roots " + file + ": " + e.getMessage());
            }
        }
        ServedObserver observer = new ServedObserver(new SocketTlsProbe(), DRIFT_PROBES_AT_ONCE,
                DRIFT_PROBE_DEADLINE);
        DriftCycle cycle = new DriftCycle(observer, d.probes(), new DriftPolicy(d.expiringWithin(),
                DriftPolicy.DEFAULT.lifetimeDivisor()), trust, main.services.clock());
        List<Observable> observable = chosen.stream().filter(Observable.class::isInstance).map(Observable.class::cast)
                .toList();
        DriftSettings.Mode mode = options.mode() == RunOptions.Mode.ENFORCE ? DriftSettings.Mode.ENFORCE
                : DriftSettings.Mode.REPORT;
        LOG.info("drift checks: mode {}, every {} (jittered), at most {} handshake(s) a cycle, targets {}{}",
                mode.name().toLowerCase(Locale.ROOT), d.interval().toSeconds() + " s", d.probes(),
                observable.stream().map(Observable::name).toList(), d.watch() ? ", watching managed files" : "");
        return new DriftSettings(mode, d.interval(), cycle, observable, d.watch());
    }

    private SniSupport sni(String option, String value) {
        try {
            return SniSupport.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw usage(option + " must be detect, on or off, not '" + value + "'");
        }
    }

    private List<Target> targets(RunOptions options) {
        List<Target> list = new ArrayList<>();
        for (String name : options.targets()) {
            RunOptions.Mail mail = options.mail();
            TlsProbe probe = new SocketTlsProbe();
            switch (name) {
                case FilesTarget.NAME -> list.add(new FilesTarget(options.filesDir().orElseThrow(),
                        options.filesCommand(), main.services.commands()));
                case PostfixTarget.NAME -> {
                    PostfixSettings p = PostfixSettings.defaults(options.dataDir());
                    list.add(new PostfixTarget(new PostfixSettings(mail.postfixConfigDir(), p.managedDir(),
                            mail.probeAddress(), mail.probeDeadline(), p.commandTimeout()), main.services.commands(),
                            probe));
                }
                case DovecotTarget.NAME -> {
                    DovecotSettings d = DovecotSettings.defaults(mail.dovecotConfig(), options.dataDir());
                    list.add(new DovecotTarget(new DovecotSettings(d.config(), d.include(), d.certDir(),
                            mail.probeAddress(), mail.probeDeadline(), d.largeConfigBlocks()), main.services.commands(),
                            probe));
                }
                case QmailTarget.NAME -> list.add(new QmailTarget(new QmailSettings(mail.qmailDir(), mail.qmailSni(),
                        mail.probeAddress(), mail.probePorts(), mail.probeDeadline()), probe));
                case CourierTarget.NAME -> list.add(new CourierTarget(new CourierSettings(mail.courierConfigDir(),
                        mail.courierSni(), CourierSettings.defaults().couriertls(), mail.probeAddress(),
                        mail.probeDeadline()), main.services.commands(), probe));
                case NginxTarget.NAME -> list.add(new NginxTarget(options.nginx().orElseThrow(), main.services.commands(),
                        probe));
                case MailEnableTarget.NAME -> list.add(mailEnable(options));
                case IisTarget.NAME -> list.add(iis(options));
                default -> throw new IllegalStateException("target " + name + " passed validation but is not built");
            }
        }
        return list;
    }

    /** The mailenable target, probing the configured services (or MailEnable's defaults) at --probe-address. */
    private Target mailEnable(RunOptions options) {
        MailEnableSettings d = MailEnableSettings.defaults(options.dataDir());
        Map<String, Integer> ports = ports("--mailenable-probe-port", mailEnablePorts);
        return new MailEnableTarget(new MailEnableSettings(d.windowsDir(), options.mail().probeAddress(),
                ports.isEmpty() ? d.tlsPorts() : ports, options.mail().probeDeadline(), d.commandTimeout(),
                mailEnableKeyReader, d.services()), main.services.commands(), Platform.current(), new SocketTlsProbe());
    }

    /** The iis target: the webmail site found by --iis-webmail-path, probed at --iis-address:--iis-port. */
    private Target iis(RunOptions options) {
        IisSettings d = IisSettings.defaults(options.dataDir());
        return new IisTarget(new IisSettings(d.windowsDir(), iisWebmailPath.strip(), iisAddress.strip(),
                port("--iis-port", iisPort), options.mail().probeDeadline(), d.commandTimeout()), main.services.commands(),
                Platform.current(), new SocketTlsProbe());
    }

    /** SERVICE=PORT pairs of {@code option}: known TLS services, valid ports. */
    private Map<String, Integer> ports(String option, Map<String, String> raw) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String service = e.getKey().strip().toLowerCase(Locale.ROOT);
            if (!PROBE_SERVICES.contains(service)) {
                throw usage(option + ": unknown service '" + e.getKey() + "'; known: "
                        + String.join(", ", PROBE_SERVICES.stream().sorted().toList()));
            }
            ports.put(service, port(option, e.getValue()));
        }
        return ports;
    }

    private int port(String option, String text) {
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw usage(option + ": '" + text + "' is not a port (1-65535)");
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
