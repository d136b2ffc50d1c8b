package org.mailcert.agent.target.windows;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.target.TargetException;

/**
 * HTTP.sys's SNI certificate bindings ({@code hostnameport=NAME:PORT}), which IIS serves for an https site
 * binding with SNI, through {@code netsh http show|add|delete sslcert} with argument arrays. Host names
 * must have passed the strict host-name check; thumbprints and application ids are hex.
 * UNVERIFIED: netsh's English wording (labels of {@code show sslcert}, the message for a missing binding);
 * a Windows in another language is read as failing, never as "not bound".
 */
public final class HttpSys {
    /** The application id mailcert registers its bindings under (HTTP.sys only stores it). */
    public static final String APP_ID = "{6d61696c-6365-7274-2d69-69732d736e69}";
    /** The store name netsh takes for {@code Cert:\LocalMachine\My}. */
    public static final String MY = "MY";
    private static final Pattern HASH = Pattern.compile("^\\s*Certificate Hash\\s*:\\s*([0-9A-Fa-f]{40})\\s*$",
            Pattern.MULTILINE);
    private static final Pattern APP = Pattern.compile("^\\s*Application ID\\s*:\\s*(\\{[0-9A-Fa-f-]{36}\\})\\s*$",
            Pattern.MULTILINE);
    private static final Pattern STORE = Pattern.compile("^\\s*Certificate Store Name\\s*:\\s*(\\w+)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern THUMBPRINT = Pattern.compile("[0-9A-F]{40}");

    private final CommandRunner runner;
    private final Duration timeout;
    private final String target;

    /**
     * @param runner runs {@code netsh}
     * @param timeout how long one command may run
     * @param target the target's name, for exceptions
     */
    public HttpSys(CommandRunner runner, Duration timeout, String target) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * A certificate binding: the thumbprint (upper case), the owning application's id and the store.
     *
     * @param storeName {@code MY} where netsh shows {@code (null)} (the default store)
     */
    public record SslCert(String thumbprint, String appId, String storeName) {
        /** Upper-cases the thumbprint. */
        public SslCert {
            thumbprint = thumbprint.toUpperCase(Locale.ROOT);
        }
    }

    /** The binding for {@code host:port}, empty if there is none. */
    public Optional<SslCert> show(String host, int port) throws TargetException, InterruptedException {
        String key = "hostnameport=" + host + ":" + port;
        CommandResult r = PowerShell.Commands.tryRun(runner, command("show", "sslcert", key), "read the certificate"
                + " binding of " + host + ":" + port, target);
        return parse(r, host + ":" + port);
    }

    /** What {@code show sslcert} says: a binding, none, or a failure. */
    Optional<SslCert> parse(CommandResult r, String hostPort) throws TargetException {
        String text = r.stdout() + "\n" + r.stderr();
        Matcher hash = HASH.matcher(text);
        if (!r.timedOut() && hash.find()) {
            Matcher app = APP.matcher(text);
            Matcher store = STORE.matcher(text);
            String storeName = store.find() && !store.group(1).equalsIgnoreCase("null") ? store.group(1) : MY;
            return Optional.of(new SslCert(hash.group(1), app.find() ? app.group(1) : APP_ID, storeName));
        }
        if (r.succeeded() || !r.timedOut() && notFound(text)) {
            return Optional.empty();
        }
        throw new TargetException(target, "cannot read the certificate binding of " + hostPort + ": netsh "
                + r.describe());
    }

    /** UNVERIFIED: netsh's message when no such binding exists (error 2, English Windows). */
    private static boolean notFound(String text) {
        return text.contains("The system cannot find the file specified") || text.contains("Error: 2");
    }

    /** Binds the certificate (which must be in the store) to {@code host:port}; there must be no binding yet. */
    public void add(String host, int port, SslCert cert) throws TargetException, InterruptedException {
        if (!THUMBPRINT.matcher(cert.thumbprint()).matches() || !APP.matcher("Application ID : " + cert.appId()).matches()
                || !cert.storeName().matches("\\w+")) {
            throw new TargetException(target, "refusing an unexpected certificate binding for " + host + ":" + port);
        }
        PowerShell.Commands.run(runner, command("add", "sslcert", "hostnameport=" + host + ":" + port, "certhash="
                + cert.thumbprint(), "appid=" + cert.appId(), "certstorename=" + cert.storeName()),
                "bind certificate " + cert.thumbprint() + " to " + host + ":" + port, target);
    }

    /** Removes the binding of {@code host:port}. */
    public void delete(String host, int port) throws TargetException, InterruptedException {
        PowerShell.Commands.run(runner, command("delete", "sslcert", "hostnameport=" + host + ":" + port),
                "remove the certificate binding of " + host + ":" + port, target);
    }

    private Command command(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("netsh", "http"));
        argv.addAll(List.of(args));
        return new Command(argv, Map.of(), timeout);
    }
}
