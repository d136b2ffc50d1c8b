package org.mailcert.agent.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import org.mailcert.agent.AgentException;
import org.mailcert.agent.AgentVersion;
import org.mailcert.common.config.YamlDefaults;
import org.mailcert.common.logging.CliLogging;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mailcert-agent}: the per-host agent. Exit codes: 0 success, 1 error (one line on stderr),
 * 2 bad usage.
 */
@Command(name = "mailcert-agent", versionProvider = AgentMain.Version.class,
        description = "The mailcert agent: installs the certificates the controller assigns to this host.",
        subcommands = {EnrollCommand.class, RunCommand.class, StatusCommand.class, ServiceCommand.class},
        footer = {"", "MAILCERT_LOG=debug (or info, warn, off) sets how much is logged to stderr.",
            "Exit codes: 0 success, 1 error, 2 bad usage."})
public final class AgentMain implements Runnable {
    static final String NAME = "mailcert-agent";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @Spec
    CommandSpec spec;

    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final Services services;

    private AgentMain(PrintStream out, PrintStream err, Map<String, String> env, Services services) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.services = services;
    }

    /** Runs one command with the real streams, environment and services, then exits. */
    public static void main(String[] args) {
        boolean service = args.length > 0 && args[0].equals("run");
        CliLogging.configure(System.getenv(CliLogging.ENV_LOG), CliLogging.Settings.agent(service));
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** Runs one command line and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, out, err, env, Services.production());
    }

    /** Runs one command line with the given services and returns its exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, Services services) {
        CommandLine cmd = new CommandLine(new AgentMain(out, err, env, services));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((e, a) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName() + " --help";
            err.println(NAME + ": " + oneLine(e.getMessage()) + " (see " + help + ")");
            return 2;
        });
        cmd.setExecutionExceptionHandler((e, c, p) -> {
            err.println(NAME + ": " + describe(e));
            return 1;
        });
        try {
            if (args.length > 0 && args[0].equals("run")) {
                YamlDefaults.install(cmd.getSubcommands().get("run"), args);
            }
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + oneLine(e.getMessage()));
            return 2;
        }
        try {
            return cmd.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** {@code mailcert-agent} without a command is a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: enroll, run, status or service");
    }

    private static String describe(Exception e) {
        if (e instanceof AgentException || e instanceof IllegalArgumentException) {
            return oneLine(e.getMessage());
        }
        return "unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + oneLine(
                e.getMessage()) + ")") + "; this is a bug in mailcert-agent, please report it";
    }

    /** Line breaks and control characters become spaces. */
    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\p{Cntrl}[\\s\\p{Cntrl}]*", " ").strip();
    }

    /** The jar's Implementation-Version, or {@code dev} when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {NAME + " " + AgentVersion.current()};
        }
    }
}
