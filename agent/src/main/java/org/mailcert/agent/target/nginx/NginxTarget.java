package org.mailcert.agent.target.nginx;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandException;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.ApplyReport;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.keychain.FileJournal;
import org.mailcert.agent.target.keychain.KeyChainPem;
import org.mailcert.agent.target.keychain.Ownership;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.agent.drift.FileObserver;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.mail.Steps;
import org.mailcert.agent.target.mail.TargetFacts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves webmail over HTTPS with nginx: one managed file holds a {@code server} block per {@code
 * webmail.<d>} binding (listen ssl, {@code server_name}, the binding's key-and-chain file, the
 * webmail application as a proxy or a root). The admin's own files are never edited; a name the
 * admin's configuration already serves on the same port is refused with the file that serves it
 * (found in the {@code nginx -T} dump of the new configuration, so a broken managed file, say a
 * deleted key, never stands in the way of its repair).
 *
 * <p>An apply writes each certificate's file (0600, named by the leaf's fingerprint, so the
 * configuration nginx runs keeps pointing at files that exist), then the managed file, checks the
 * whole configuration with {@code nginx -T} (which must show the managed file: nginx.conf has to
 * include it), reloads, and proves by an SNI handshake per name that the new certificate is served.
 * Any failure restores every file, reloads again and throws. Other scopes are not this target's.
 * Not thread-safe.
 */
public final class NginxTarget implements Target, Inspectable, Observable {
    /** The target's name. */
    public static final String NAME = "nginx";
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(NginxTarget.class);
    /** A served name nginx can take as an exact server_name: lower-case DNS labels only. */
    private static final Pattern NAME_SYNTAX = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");

    private final NginxSettings settings;
    private final CommandRunner runner;
    private final ServedCheck check;
    private final NginxWorkers workers = new NginxWorkers(Path.of("/proc"));

    public NginxTarget(NginxSettings settings, CommandRunner runner, TlsProbe probe) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.check = new ServedCheck(probe, settings.deadline());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Change apply(List<Binding> desired) throws TargetException {
        List<Binding> webmail = webmail(desired);
        Map<String, String> errors = new LinkedHashMap<>();
        for (Binding b : webmail) {
            if (!NAME_SYNTAX.matcher(b.servedName()).matches() || b.servedName().length() > 253) {
                errors.put(b.id(), "served name " + org.mailcert.common.names.DnsNames.displaySafe(b.servedName())
                        + " cannot be an nginx server_name");
            }
        }
        refuse(errors);

        FileJournal journal = new FileJournal();
        try {
            return install(webmail, journal);
        } catch (IOException e) {
            throw restoreAfter(journal, "cannot write nginx's files: " + e.getMessage(), Map.of(), e, false);
        }
    }

    private Change install(List<Binding> webmail, FileJournal journal) throws IOException, TargetException {
        Path certDir = settings.certDir().toAbsolutePath().normalize();
        Ownership keyOwnership = Ownership.root(certDir, "rw-------");
        Ownership certDirOwnership = Ownership.root(certDir, "rwx------");
        Set<String> changedIds = new LinkedHashSet<>();
        Set<Path> wanted = new LinkedHashSet<>();
        for (Binding b : webmail) {
            Path file = certFile(b);
            if (wanted.add(file) && journal.write(file, KeyChainPem.render(b), keyOwnership, certDirOwnership)) {
                try {
                    KeyChainPem.verify(file, b.leafSha256());
                } catch (IOException e) {
                    throw restoreAfter(journal, "written file does not check out: " + e.getMessage(),
                            Map.of(b.id(), e.getMessage()), e, false);
                }
                changedIds.add(b.id());
            }
        }
        String before = Files.exists(settings.managedFile()) ? Files.readString(settings.managedFile(), UTF_8) : "";
        for (Binding b : webmail) {
            if (!before.contains(block(b))) {
                changedIds.add(b.id());
            }
        }
        Ownership configOwnership = Ownership.of(settings.managedFile())
                .orElse(Ownership.root(settings.managedFile(), "rw-r--r--"));
        Ownership configDirOwnership = Ownership.root(settings.managedFile(), "rwxr-xr-x");
        boolean configChanged = journal.write(settings.managedFile(), render(webmail).getBytes(UTF_8), configOwnership,
                configDirOwnership);
        List<String> removed = new ArrayList<>();
        for (String name : servedNames(before)) {
            if (webmail.stream().noneMatch(b -> b.servedName().equals(name))) {
                removed.add(name);
            }
        }
        if (Files.isDirectory(certDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(certDir, "*.pem")) {
                for (Path f : files) {
                    if (!wanted.contains(f)) {
                        journal.delete(f);
                    }
                }
            }
        }
        Steps.reached("nginx.files-written");
        boolean changed = configChanged || !changedIds.isEmpty() || !removed.isEmpty();
        if (changed) {
            String dump = validate(journal);
            Map<String, String> conflicts = conflicts(dump, webmail);
            if (!conflicts.isEmpty()) {
                throw restoreAfter(journal, conflicts.size() + " webmail binding(s) refused: "
                        + conflicts.values().iterator().next(), conflicts, null, false);
            }
            Steps.reached("nginx.validated");
            Optional<Long> master = NginxWorkers.master(NginxWorkers.pidFile(dump));
            Set<Long> oldWorkers = master.map(workers::accepting).orElse(Set.of());
            reload(journal);
            Steps.reached("nginx.reloaded");
            awaitOldWorkers(journal, master, oldWorkers);
            probe(journal, webmail);
            Steps.reached("nginx.probed");
            LOG.info("nginx target: {} webmail name(s) served from {}{}", webmail.size(), settings.managedFile(),
                    removed.isEmpty() ? "" : "; removed " + String.join(" ", removed));
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        webmail.forEach(b -> outcomes.put(b.id(), changedIds.contains(b.id()) ? Outcome.INSTALLED : Outcome.UNCHANGED));
        return new NginxChange(journal, new ApplyReport(NAME, outcomes, removed), changed);
    }

    /**
     * What nginx has of {@code desired}, for a drift cycle: each webmail binding's key-and-chain
     * file, the managed file against what an apply would write, and each name to probe with SNI.
     */
    @Override
    public TargetObservation observe(List<Binding> desired) {
        List<Binding> webmail = webmail(desired);
        Map<String, List<Observed.File>> files = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (Binding b : webmail) {
            files.put(b.id(), List.of(FileObserver.observe(certFile(b), true, KeyChainPem.render(b))));
            names.put(b.servedName(), b.id());
        }
        Observed.Config config = new Observed.Config(NAME, settings.managedFile().toString(),
                Fingerprints.sha256Hex(render(webmail).getBytes(UTF_8)), FileObserver.contentSha256(settings.managedFile()));
        return new TargetObservation(NAME, files, List.of(config), settings.endpoints(), names, true, false);
    }

    /** The managed file and the key directory. */
    @Override
    public List<Path> watched() {
        return List.of(settings.managedFile(), settings.certDir());
    }

    private static List<Binding> webmail(List<Binding> desired) {
        return desired.stream().filter(b -> b.scope() == Scope.WEBMAIL).sorted(Comparator.comparing(Binding::servedName))
                .toList();
    }

    /** The key-and-chain file of a binding's certificate: one per leaf, shared by names that use it. */
    private Path certFile(Binding b) {
        return settings.certDir().toAbsolutePath().normalize().resolve(b.leafSha256().substring(0, 32) + ".pem");
    }

    /** The managed file's text. */
    String render(List<Binding> webmail) {
        StringBuilder out = new StringBuilder("# Managed by mailcert-agent: every change here is overwritten.\n"
                + "# One server block per webmail name bound on the controller (mailcert bind HOST webmail DOMAIN CERT).\n");
        for (Binding b : webmail) {
            out.append('\n').append(block(b));
        }
        return out.toString();
    }

    private String block(Binding b) {
        Path cert = certFile(b);
        StringBuilder listen = new StringBuilder();
        settings.listen().forEach(l -> listen.append("    listen ").append(l).append(" ssl;\n"));
        return "server {\n"
                + listen
                + "    server_name " + b.servedName() + ";\n"
                + "    ssl_certificate " + cert + ";\n"
                + "    ssl_certificate_key " + cert + ";\n"
                + "    location / {\n"
                + settings.upstream().directives()
                + "    }\n"
                + "}\n";
    }

    /** The names the managed file's blocks serve. */
    private static List<String> servedNames(String managed) {
        List<String> out = new ArrayList<>();
        for (String line : managed.split("\n")) {
            String t = line.strip();
            if (t.startsWith("server_name ") && t.endsWith(";")) {
                out.add(t.substring("server_name ".length(), t.length() - 1).strip());
            }
        }
        return out;
    }

    /**
     * The bindings whose name a server block of the admin's files (every file but the managed one in
     * {@code nginx -T}'s dump) already serves on the agent's port, with the file that serves it.
     */
    private Map<String, String> conflicts(String dump, List<Binding> webmail) {
        Path managed = settings.managedFile().toAbsolutePath().normalize();
        Set<Integer> ports = settings.ports();
        Map<String, String> out = new LinkedHashMap<>();
        for (ServerBlocks.Block block : ServerBlocks.parse(dump)) {
            Optional<Integer> port = ports.stream().filter(block.ports()::contains).findFirst();
            if (block.file().toAbsolutePath().normalize().equals(managed) || port.isEmpty()) {
                continue;
            }
            for (Binding b : webmail) {
                if (block.names().contains(b.servedName())) {
                    out.putIfAbsent(b.id(), b.servedName() + " is already served on port " + port.get()
                            + " by the admin's nginx configuration in " + block.file() + "; mailcert does not edit"
                            + " it: remove that server block or unbind webmail for this domain");
                }
            }
        }
        return out;
    }

    /** Checks the whole configuration with the new files ({@code nginx -T}) and returns its dump. */
    private String validate(FileJournal journal) throws TargetException {
        CommandResult r;
        try {
            r = run("nginx -T", List.of(settings.nginx().toString(), "-T", "-c", settings.configFile().toString()));
        } catch (TargetException e) {
            throw restoreAfter(journal, e.detail(), Map.of(), e, false);
        }
        if (!r.succeeded()) {
            throw restoreAfter(journal, "nginx refused the new configuration (nginx -T): " + nginxError(r), Map.of(), null,
                    false);
        }
        if (!r.stdout().contains("# configuration file " + settings.managedFile().toAbsolutePath().normalize() + ":")) {
            throw restoreAfter(journal, settings.configFile() + " does not include " + settings.managedFile()
                    + ": add `include " + settings.managedFile() + ";` to its http block", Map.of(), null, false);
        }
        return r.stdout();
    }

    private void reload(FileJournal journal) throws TargetException {
        CommandResult r;
        try {
            r = run("nginx -s reload", reloadCommand());
        } catch (TargetException e) {
            throw restoreAfter(journal, e.detail(), Map.of(), e, true);
        }
        if (!r.succeeded()) {
            throw restoreAfter(journal, "nginx -s reload failed: " + nginxError(r), Map.of(), null, true);
        }
    }

    /**
     * Waits until the workers that accepted before the reload stop accepting, so that the proof that follows
     * cannot be answered by an old worker a moment before it retires (and a drift check right after the
     * apply cannot see the old certificate). A wait that runs out is only logged: the proof still decides.
     */
    private void awaitOldWorkers(FileJournal journal, Optional<Long> master, Set<Long> old) throws TargetException {
        if (master.isEmpty() || old.isEmpty()) {
            return;
        }
        try {
            if (!workers.awaitRetired(master.get(), old, settings.deadline())) {
                LOG.warn("nginx target: the workers from before the reload still accept connections after {}",
                        settings.deadline());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw restoreAfter(journal, "interrupted while waiting for nginx's old workers", Map.of(), e, true);
        }
    }

    private List<String> reloadCommand() {
        return List.of(settings.nginx().toString(), "-s", "reload", "-c", settings.configFile().toString());
    }

    private void probe(FileJournal journal, List<Binding> webmail) throws TargetException {
        List<ServedCheck.Expectation> expected = webmail.stream()
                .map(b -> new ServedCheck.Expectation(Optional.of(b.servedName()), b.leafSha256(), b.id())).toList();
        List<ServedCheck.Miss> misses;
        try {
            misses = check.check(settings.endpoints(), expected);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw restoreAfter(journal, "interrupted while probing", Map.of(), e, true);
        }
        if (misses.isEmpty()) {
            return;
        }
        Map<String, String> errors = new LinkedHashMap<>();
        misses.forEach(m -> errors.merge(m.expected().bindingId(), m.describe(), (a, b) -> a + "; " + b));
        throw restoreAfter(journal, misses.size() + " probe(s) did not show the new certificate: "
                + misses.get(0).describe(), errors, null, true);
    }

    private CommandResult run(String what, List<String> arguments) throws TargetException {
        try {
            CommandResult r = runner.run(new Command(arguments, Map.of(), COMMAND_TIMEOUT));
            if (r.timedOut()) {
                throw new TargetException(NAME, what + " did not finish within " + COMMAND_TIMEOUT.toSeconds() + " s");
            }
            return r;
        } catch (CommandException e) {
            throw new TargetException(NAME, "cannot run " + what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(NAME, "interrupted while running " + what);
        }
    }

    /** Restores every file, reloads nginx again if it was reloaded with the new ones, and describes the failure. */
    private TargetException restoreAfter(FileJournal journal, String message, Map<String, String> errors, Throwable cause,
            boolean reloaded) {
        List<String> problems = new ArrayList<>(journal.restore());
        if (reloaded && problems.isEmpty()) {
            try {
                CommandResult r = run("nginx -s reload", reloadCommand());
                if (!r.succeeded()) {
                    problems.add("reloading the previous configuration failed: " + r.lastLine());
                }
            } catch (TargetException e) {
                problems.add(e.detail());
            }
        }
        LOG.warn("nginx target: {}; the previous files were restored", message);
        if (problems.isEmpty()) {
            return new TargetException(NAME, message + "; the previous configuration was restored", errors, true, cause);
        }
        LOG.error("nginx target: restoring failed: {}", String.join("; ", problems));
        return new TargetException(NAME, message + "; restoring failed too: " + String.join("; ", problems), errors,
                false, cause);
    }

    /** nginx's first [emerg] or [error] line (the reason), else its last line. */
    static String nginxError(CommandResult r) {
        for (String line : (r.stderr() + "\n" + r.stdout()).split("\n")) {
            if (line.contains("[emerg]") || line.contains("[error]")) {
                return line.strip();
            }
        }
        return r.lastLine();
    }

    private static void refuse(Map<String, String> errors) throws TargetException {
        if (!errors.isEmpty()) {
            throw new TargetException(NAME, errors.size() + " webmail binding(s) refused; nothing was written: "
                    + errors.values().iterator().next(), errors);
        }
    }

    @Override
    public TargetFacts inspect() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        String version = "";
        try {
            CommandResult r = runner.run(new Command(List.of(settings.nginx().toString(), "-v"), Map.of(), COMMAND_TIMEOUT));
            String text = (r.stderr() + r.stdout()).strip();
            int slash = text.indexOf("nginx/");
            version = slash < 0 ? "" : text.substring(slash + "nginx/".length()).split("\\s")[0];
            if (!r.succeeded()) {
                problems.add("nginx -v failed: " + r.lastLine());
            }
        } catch (CommandException e) {
            problems.add("cannot run " + settings.nginx() + ": " + e.getMessage());
        }
        return new TargetFacts("nginx", version, true, settings.endpoints(), List.of(), problems);
    }

    /** Applied nginx changes that can be undone until committed. */
    private final class NginxChange implements Change {
        private final FileJournal journal;
        private final ApplyReport report;
        private final boolean reloaded;

        NginxChange(FileJournal journal, ApplyReport report, boolean reloaded) {
            this.journal = journal;
            this.report = report;
            this.reloaded = reloaded;
        }

        @Override
        public ApplyReport report() {
            return report;
        }

        @Override
        public void rollback() throws TargetException {
            TargetException e = restoreAfter(journal, "rolled back with the other targets", Map.of(), null, reloaded);
            if (!e.restored()) {
                throw e;
            }
        }

        @Override
        public void commit() {
            journal.forget();
        }
    }
}
