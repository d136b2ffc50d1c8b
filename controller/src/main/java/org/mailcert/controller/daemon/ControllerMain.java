package org.mailcert.controller.daemon;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mailcert.common.config.YamlDefaults;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.events.EventRetention;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mailcert-controller}: parses flags and config, then starts the controller. */
@Command(name = "mailcert-controller", mixinStandardHelpOptions = true, versionProvider = ControllerMain.Version.class,
        description = "The mailcert controller: desired certificate state for a fleet of mail hosts, over gRPC with TLS.")
public final class ControllerMain implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file whose keys are these options' names")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./var/controller",
            description = "store, keys, CA and admin token (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:7443",
            description = "gRPC address for agents and admins, TLS always (default: ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--name", paramLabel = "DNS", split = ",",
            description = "name for the server certificate (repeatable; default: this host's FQDN); localhost,"
                    + " 127.0.0.1 and ::1 are always included")
    List<String> names = new ArrayList<>();

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7080",
            description = "/metrics and /healthz over plain HTTP; 'off' disables (default: ${DEFAULT-VALUE})")
    String metricsListen;

    @Option(names = "--agent-cert-lifetime", paramLabel = "DURATION", defaultValue = "7d",
            description = "lifetime of agents' client certificates, renewed at about half (default: ${DEFAULT-VALUE})")
    String agentCertLifetime;

    @Option(names = "--agent-keepalive", paramLabel = "DURATION", defaultValue = "60s",
            description = "ping an agent connection after this long without traffic; at least 10s, gRPC's floor"
                    + " (default: ${DEFAULT-VALUE})")
    String agentKeepalive;

    @Option(names = "--agent-keepalive-timeout", paramLabel = "DURATION", defaultValue = "20s",
            description = "close an agent connection whose ping is not answered within this (default: ${DEFAULT-VALUE})")
    String agentKeepaliveTimeout;

    @Option(names = "--event-retention", paramLabel = "DURATION", defaultValue = "365d",
            description = "delete events older than this from the event log, hourly; at least 1d (default: ${DEFAULT-VALUE})")
    String eventRetention;

    @Option(names = "--event-max", paramLabel = "N", defaultValue = "1000000",
            description = "keep at most this many of the newest events; at least 1000 (default: ${DEFAULT-VALUE})")
    long eventMax;

    @Option(names = "--extra-roots", paramLabel = "FILE",
            description = "PEM roots trusted besides the JDK's when judging certificates")
    Path extraRoots;

    @Option(names = "--acme-dns-server", paramLabel = "HOST:PORT",
            description = "Before asking an ACME CA to validate, look up zones and name servers here and ask those"
                    + " name servers on this port (default: the system's resolvers, port 53); for private DNS and tests")
    String acmeDnsServer;

    private final PrintStream out;

    ControllerMain(PrintStream out) {
        this.out = out;
    }

    /** Runs the controller until it is stopped (SIGTERM/SIGINT). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cmd = new CommandLine(new ControllerMain(out));
        cmd.setOut(new java.io.PrintWriter(out, true));
        cmd.setErr(new java.io.PrintWriter(err, true));
        cmd.setExecutionExceptionHandler((e, c, p) -> {
            err.println("mailcert-controller: " + oneLine(e));
            return 1;
        });
        try {
            YamlDefaults.install(cmd, args);
        } catch (IllegalArgumentException e) {
            err.println("mailcert-controller: " + e.getMessage());
            return 2;
        }
        return cmd.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        ControllerConfig cfg = configuration();
        Optional<InetSocketAddress> dns = acmeDnsServer == null ? Optional.empty()
                : Optional.of(HostPort.parse("--acme-dns-server", acmeDnsServer));
        Controller controller = Controller.start(cfg, Clock.systemUTC(),
                creds -> Controller.netty(cfg.listen(), creds, cfg.keepalive()), RealAcme.wiring(Clock.systemUTC(), dns));
        DataDir dir = new DataDir(controller.dataDir());
        out.println("mailcert-controller listening on " + cfg.listen().getHostString() + ":" + controller.port()
                + " (TLS)");
        out.println("  data dir:    " + dir.root());
        out.println("  CA:          " + dir.caPem() + "  (the CLI and agents trust this)");
        out.println("  admin token: " + dir.adminToken() + "  (mode 0600; used by `mailcert` by default)");
        if (controller.metricsPort() > 0) {
            out.println("  metrics:     http://" + cfg.metricsListen().get().getHostString() + ":" + controller.metricsPort()
                    + "/metrics  and /healthz");
        }
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controller.close();
            stopped.countDown();
        }, "shutdown"));
        controller.awaitTermination();
        stopped.await();
        return 0;
    }

    ControllerConfig configuration() throws ControllerException {
        LinkedHashSet<String> dns = new LinkedHashSet<>();
        LinkedHashSet<String> ips = new LinkedHashSet<>(List.of("127.0.0.1", "0:0:0:0:0:0:0:1"));
        List<String> given = names.isEmpty() ? List.of(localFqdn()) : names;
        for (String n : given) {
            if (n.isBlank()) {
                continue;
            }
            if (n.matches("[0-9.]+") || n.contains(":")) {
                try {
                    ips.add(InetAddress.getByName(n).getHostAddress());
                } catch (UnknownHostException e) {
                    throw ControllerException.invalid("--name " + n + " is neither a DNS name nor an IP address");
                }
                continue;
            }
            try {
                dns.add(DnsNames.hostname(n));
            } catch (InvalidNameException e) {
                throw ControllerException.invalid("--name: " + e.getMessage());
            }
        }
        dns.add("localhost");
        Optional<InetSocketAddress> metrics = metricsListen.equalsIgnoreCase("off")
                ? Optional.empty()
                : Optional.of(HostPort.parse("--metrics-listen", metricsListen));
        if (extraRoots != null && !Files.isReadable(extraRoots)) {
            throw ControllerException.invalid("--extra-roots " + extraRoots + " is not a readable file");
        }
        return new ControllerConfig(dataDir, HostPort.parse("--listen", listen), List.copyOf(dns), List.copyOf(ips),
                metrics, Optional.ofNullable(extraRoots), lifetime(agentCertLifetime),
                org.mailcert.controller.sync.SyncSession.PAGE_BYTES, keepalive(), eventLog());
    }

    private EventRetention.Limits eventLog() throws ControllerException {
        java.time.Duration age = positive("--event-retention", eventRetention);
        try {
            return new EventRetention.Limits(age, eventMax);
        } catch (IllegalArgumentException e) {
            throw ControllerException.invalid("--event-retention " + eventRetention + ", --event-max " + eventMax + ": "
                    + e.getMessage());
        }
    }

    private ControllerConfig.Keepalive keepalive() throws ControllerException {
        java.time.Duration time = positive("--agent-keepalive", agentKeepalive);
        if (time.compareTo(Controller.PERMIT_KEEPALIVE) < 0) {
            throw ControllerException.invalid("--agent-keepalive must be at least "
                    + Controller.PERMIT_KEEPALIVE.toSeconds() + "s (gRPC does not ping more often), not " + agentKeepalive);
        }
        return new ControllerConfig.Keepalive(time, positive("--agent-keepalive-timeout", agentKeepaliveTimeout));
    }

    private static java.time.Duration positive(String option, String text) throws ControllerException {
        try {
            return org.mailcert.common.config.Durations.parsePositive(text);
        } catch (IllegalArgumentException e) {
            throw ControllerException.invalid(option + ": " + e.getMessage());
        }
    }

    private static java.time.Duration lifetime(String text) throws ControllerException {
        try {
            java.time.Duration d = org.mailcert.common.config.Durations.parse(text);
            if (d.compareTo(java.time.Duration.ofMinutes(2)) < 0 || d.compareTo(java.time.Duration.ofDays(90)) > 0) {
                throw ControllerException.invalid("--agent-cert-lifetime " + text + " is out of range; use 2m to 90d");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw ControllerException.invalid("--agent-cert-lifetime: " + e.getMessage());
        }
    }

    private static String localFqdn() {
        try {
            String n = InetAddress.getLocalHost().getCanonicalHostName();
            DnsNames.hostname(n);
            return n;
        } catch (UnknownHostException | InvalidNameException e) {
            return "localhost";
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.io.IOException && m != null) {
            return e.getClass().getSimpleName() + ": " + m;
        }
        return m == null ? e.toString() : m.replace('\n', ' ');
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ControllerMain.class.getPackage().getImplementationVersion();
            return new String[] {"mailcert-controller " + (v == null ? "dev" : v)};
        }
    }
}
