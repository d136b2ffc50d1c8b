package org.mailcert.controller.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import org.mailcert.common.logging.CliLogging;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.text.OutputFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code mailcert}: the admin command line, a thin client of the controller's {@code AdminService}.
 * Exit codes: 0 success, 1 error (one line on stderr), 2 bad usage.
 */
@Command(name = "mailcert",
        versionProvider = MailcertCli.Version.class,
        description = "Administer mailcert: hosts, certificates, bindings, drift and events, through the controller.",
        footer = {"",
            "Environment: MAILCERT_CONTROLLER, MAILCERT_TOKEN_FILE, MAILCERT_TOKEN (the token itself), MAILCERT_CA.",
            "Without them, ./var/controller/admin.token and ./var/controller/ca.pem are used when present.",
            "MAILCERT_LOG=debug prints library logs to stderr.",
            "Exit codes: 0 success, 1 error, 2 bad usage."},
        subcommands = {
            TokenCommand.class,
            HostCommand.class,
            CertCommand.class,
            IssuerCommand.class,
            BindCommands.Bind.class,
            BindCommands.Unbind.class,
            BindCommands.BindingGroup.class,
            ClientSettingsCommand.class,
            FleetCommands.Status.class,
            FleetCommands.Drift.class,
            FleetCommands.Expiring.class,
            EventsCommand.class,
            AdminTokenCommand.class,
        })
public final class MailcertCli implements Runnable {

    @Option(names = "--controller", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            converter = ControllerAddress.Converter.class,
            description = "The controller's admin address (env MAILCERT_CONTROLLER; default localhost:7443).")
    ControllerAddress controller;

    @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "File holding the admin token (env MAILCERT_TOKEN_FILE, or MAILCERT_TOKEN with the token itself).")
    Path tokenFile;

    @Option(names = "--ca-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The controller's CA certificate, PEM (env MAILCERT_CA; default: the JDK's trusted roots).")
    Path caFile;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", scope = ScopeType.INHERIT,
            converter = OutputFormat.Converter.class,
            description = "table for people (default) or json for scripts.")
    OutputFormat format;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final ChannelFactory channels;
    private final LocalFiles files;
    private ConnectionSettings settings;
    private AdminClient client;

    private MailcertCli(PrintStream out, PrintStream err, Map<String, String> env, ChannelFactory channels, Path workDir) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.channels = channels;
        this.files = new LocalFiles(workDir);
    }

    /** Runs the CLI with the real streams, environment and TLS transport, then exits. */
    public static void main(String[] args) {
        CliLogging.configure(System.getenv(CliLogging.ENV_LOG), CliLogging.Settings.adminCli());
        System.exit(run(args, System.out, System.err, System.getenv(), ChannelFactory.tls()));
    }

    /**
     * Runs one command line and returns its exit code; relative paths and the default
     * {@code ./var/controller} files resolve against the current directory.
     */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, ChannelFactory channels) {
        return run(args, out, err, env, channels, Path.of(""));
    }

    /**
     * Runs one command line with relative paths (flags, {@code ./var/controller}) resolved against
     * {@code workDir}, and returns its exit code. Failures become exit codes and stderr lines; the channel
     * is shut down before it returns.
     */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, ChannelFactory channels,
            Path workDir) {
        MailcertCli root = new MailcertCli(out, err, env, channels, workDir);
        try {
            CommandLine commandLine = new CommandLine(root);
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
            commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
                err.println("mailcert: " + Errors.describe(e, root.settings));
                return 1;
            });
            return commandLine.execute(args);
        } finally {
            root.closeClient();
            out.flush();
            err.flush();
        }
    }

    /** {@code mailcert} without a command is a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required command");
    }

    /** The connection to the controller, opened on first use from the global options. */
    AdminClient client() throws CliException {
        if (client == null) {
            settings = ConnectionSettings.resolve(new ConnectionSettings.Flags(controller, tokenFile, caFile), env, files);
            try {
                client = new AdminClient(channels.open(settings.address(), settings.caFile()), settings);
            } catch (IOException e) {
                throw new CliException(settings.caFile()
                        .map(ca -> "cannot use the CA file " + ca + ": " + e.getMessage()
                                + "; give the controller's ca.pem with --ca-file or MAILCERT_CA")
                        .orElse("cannot set up TLS to the controller at " + settings.address() + ": " + e.getMessage()), e);
            }
        }
        return client;
    }

    /** Where results go, in the format the user chose. */
    Output output() {
        return new Output(out, err, format == null ? OutputFormat.TABLE : format);
    }

    /** Reads the files commands send, relative to the working directory. */
    LocalFiles files() {
        return files;
    }

    /** The environment the CLI was started with. */
    Map<String, String> env() {
        return env;
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** The jar's Implementation-Version, or {@code dev} when run from classes. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = MailcertCli.class.getPackage().getImplementationVersion();
            return new String[] {"mailcert " + (version == null ? "dev" : version)};
        }
    }
}
