package org.mailcert.agent.target.dovecot;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.mailcert.agent.drift.FileObserver;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandException;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.TlsProbe;
import org.mailcert.agent.target.ApplyReport;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.mail.CertFiles;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.mail.SniName;
import org.mailcert.agent.target.mail.Steps;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.Fingerprints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Dovecot serve the server-wide and per-domain (SNI) certificates: versioned key and chain
 * files in the agent's private directory, one managed include with the server-wide certificate and
 * a {@code local_name} block per certificate listing its SNI names ({@link IncludeFile#blocks}),
 * validated with {@code doveconf -x} (the whole configuration, or at a large one only what changed:
 * see {@link Validation} for when and what that misses), switched atomically, reloaded with {@code doveadm reload} and proven by live handshakes on
 * every enabled TLS endpoint.
 * Any failure restores the previous include and every other file the apply touched, reloads and
 * proves the old certificates are served again. Old certificate files are deleted only at
 * {@link Change#commit()}, after the new ones are proven served (Dovecot reads them lazily at the
 * first connection after a reload). {@code webmail} bindings are not this target's and are ignored.
 *
 * <p>What is probed after a reload: the no-SNI default, every name whose certificate changed or was
 * removed, and up to {@value #CANARIES} unchanged names as a canary that the reload did not break
 * the rest (probing all of 5,000 names would take minutes; a reload that breaks the configuration
 * breaks every name, so a few suffice). The first handshake after a reload waits while Dovecot's
 * new config process parses everything, so it gets a deadline that grows with the number of blocks
 * ({@link WarmUp}); the others get the probe deadline.
 *
 * <p>Large configurations: from {@code largeConfigBlocks} blocks on the include raises
 * {@code service config { vsz_limit }}. The reload that switches such an include in is parsed by the
 * config process that runs now, so when the configuration in force gives it less (checked with
 * {@code doveconf}, whoever set it) the apply first switches in an interim include, the old one plus
 * the raise, reloads and proves it, and only then switches in the new include. The interim step is
 * journaled like the rest: any failure restores the original include. Not thread-safe.
 */
public final class DovecotTarget implements Target, Inspectable, Observable {
    /** The target's name. */
    public static final String NAME = "dovecot";
    /** Unchanged names probed after a reload. */
    static final int CANARIES = 3;
    private static final Duration QUICK = Duration.ofSeconds(30);
    /** How long a reload may take the master (reading 5,000 names took about 8 s on a loaded machine). */
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(120);
    /**
     * The longest whole-configuration parse (timed as {@code doveconf -x -n}) the agent will follow
     * with a reload: 70 % of the 10 s Dovecot's processes allow the config process. At 5,000 blocks
     * on a 2-core machine the parse took 8–10 s, and reloads after it failed in 2 of 3 runs.
     */
    static final Duration PARSE_BUDGET = Duration.ofSeconds(7);
    private static final Duration VALIDATE = Duration.ofMinutes(3);
    private static final Duration RELOAD_HANDLED = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(DovecotTarget.class);
    /** What Dovecot reads of a certificate: {@code ssl_cert} and {@code ssl_key}. */
    private static final Set<CertFiles.Form> FORMS = EnumSet.of(CertFiles.Form.KEY, CertFiles.Form.FULLCHAIN);

    private final DovecotSettings settings;
    private final CommandRunner runner;
    private final CertFiles certFiles;
    private final ServedCheck check;
    private final ConfigFiles configFiles;
    private final WarmUp warmUp;
    private final ProvenInclude proven;
    private Seam seam = step -> { };
    private String runningKey;
    private Running runningCache;
    private long lastFullParseMillis = -1;
    private Duration parseBudget = PARSE_BUDGET;

    /** A test-only action run at a step, to break things exactly there. */
    interface Seam {
        /**
         * Runs at a step: {@code files-written}, {@code include-written}, {@code validated}, {@code raised}
         * (only when the interim include raising the config process's limit was reloaded and proven),
         * {@code switched} (the include is in place, not yet reloaded), {@code reloaded}, {@code probed}.
         */
        void at(String step) throws IOException;
    }

    /**
     * Creates the target.
     *
     * @param settings where Dovecot and the files are
     * @param runner runs {@code dovecot}, {@code doveconf} and {@code doveadm}
     * @param probe does the live handshakes
     */
    public DovecotTarget(DovecotSettings settings, CommandRunner runner, TlsProbe probe) {
        this(settings, runner, probe, Clock.systemUTC());
    }

    /** Creates the target with the clock that times the first handshake after a reload. */
    DovecotTarget(DovecotSettings settings, CommandRunner runner, TlsProbe probe, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.certFiles = new CertFiles(settings.certDir());
        this.check = new ServedCheck(probe, settings.probeDeadline());
        this.configFiles = new ConfigFiles(settings.config());
        this.warmUp = new WarmUp(probe, clock);
        this.proven = new ProvenInclude(settings.certDir());
    }

    /** Test-only: the parse time above which a large configuration is not reloaded. */
    void parseBudget(Duration budget) {
        this.parseBudget = Objects.requireNonNull(budget, "budget");
    }

    /** Replaces the test seam. */
    void seam(Seam seam) {
        this.seam = Objects.requireNonNull(seam, "seam");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TargetFacts inspect() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        String version = "";
        try {
            version = version();
        } catch (Failure e) {
            problems.add(e.getMessage());
        }
        List<Endpoint> endpoints = List.of();
        try {
            endpoints = running().listeners().endpoints(settings.probeAddress());
        } catch (Failure e) {
            problems.add(e.getMessage());
        }
        try {
            if (!configFiles.includes(settings.include())) {
                problems.add(notIncluded());
            }
            for (ConfigFiles.MissingFileLine l : configFiles.missingFileLines(settings.include())) {
                problems.add(l.describe() + ": Dovecot cannot load its configuration; mailcert-agent comments such"
                        + " lines out when it installs a server-wide certificate");
            }
            problems.addAll(configFiles.disabledLines());
            if (Syntax.ofVersion(version).orElse(Syntax.V2_3) == Syntax.V2_4 && !versionFirst()) {
                problems.add(settings.config() + ": Dovecot 2.4 needs dovecot_config_version as its first setting;"
                        + " it cannot be set from an include, add it by hand");
            }
        } catch (IOException e) {
            problems.add("cannot read Dovecot's configuration: " + e.getMessage());
        }
        return new TargetFacts(NAME, version, true, endpoints, List.of(), problems);
    }

    @Override
    public Change apply(List<Binding> desired) throws TargetException {
        Plan plan = plan(desired);
        try {
            return plan.nothingToDo() ? new DovecotChange(plan, new Journal(), List.of(), new ReloadLog("syslog")) : execute(plan);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(NAME, "interrupted", Map.of(), false, e);
        }
    }

    /**
     * What Dovecot has of {@code desired}, for a drift cycle: each certificate's key and chain file,
     * the managed include against the one an apply of {@code desired} writes (an include no longer
     * read by Dovecot's configuration cannot be observed: that is an error, which the cycle reports),
     * and the endpoints with the names to probe (a wildcard by a name under it). Runs only {@code
     * dovecot --version} and {@code doveconf} when their cached answers are stale; changes nothing.
     */
    @Override
    public TargetObservation observe(List<Binding> desired) throws TargetException, InterruptedException {
        Plan plan = plan(desired);
        Map<String, Binding> byId = new LinkedHashMap<>();
        desired.forEach(b -> byId.put(b.id(), b));
        Map<String, List<Observed.File>> observedFiles = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        Map<Path, Observed.File> seen = new HashMap<>();
        for (Served e : plan.entries()) {
            Binding b = byId.get(e.bindingId());
            // The files of a certificate that many bindings share are read once per cycle.
            observedFiles.computeIfAbsent(e.bindingId(), id -> List.of(
                    seen.computeIfAbsent(e.key(), p -> FileObserver.observe(p, true, b.keyPem().getBytes(UTF_8))),
                    seen.computeIfAbsent(e.fullChain(),
                            p -> FileObserver.observe(p, false, b.fullChainPem().getBytes(UTF_8)))));
            e.pattern().ifPresent(p -> names.put(p.startsWith("*.") ? "mailcert-probe." + p.substring(2) : p,
                    e.bindingId()));
        }
        List<Observed.Config> configs = List.of(new Observed.Config(NAME, settings.include().toString(),
                Fingerprints.sha256Hex(plan.text().getBytes(UTF_8)), FileObserver.contentSha256(settings.include())));
        List<Endpoint> endpoints;
        try {
            endpoints = running().listeners().endpoints(settings.probeAddress());
        } catch (Failure e) {
            throw new TargetException(NAME, e.getMessage());
        }
        return new TargetObservation(NAME, observedFiles, configs, endpoints, names, true);
    }

    /** Dovecot's main configuration (the agent's include is its own). */
    @Override
    public List<Path> factSources() {
        return List.of(settings.config());
    }

    /** Dovecot's main configuration and the agent's include. */
    @Override
    public List<Path> watched() {
        return List.of(settings.config(), settings.include());
    }

    /** What an apply will write: decided before anything is touched, refusing bad names first. */
    private Plan plan(List<Binding> desired) throws TargetException {
        List<Binding> mine = desired.stream().filter(b -> b.scope() != Scope.WEBMAIL).toList();
        List<Binding> servers = mine.stream().filter(b -> b.scope() == Scope.SERVER).toList();
        if (servers.size() > 1) {
            Map<String, String> errors = new LinkedHashMap<>();
            servers.forEach(b -> errors.put(b.id(), "more than one server-wide binding"));
            throw new TargetException(NAME, "more than one server-wide binding; nothing was changed", errors);
        }
        List<SniName> names = SniName.of(mine, NAME);
        List<Served> entries = new ArrayList<>();
        Map<Path, Binding> files = new LinkedHashMap<>();
        for (Binding b : servers) {
            entries.add(served(Optional.empty(), b, files));
        }
        for (SniName n : names) {
            entries.add(served(Optional.of(n.pattern()), n.binding(), files));
        }
        try {
            if (!configFiles.includes(settings.include())) {
                throw new TargetException(NAME, notIncluded() + "; nothing was changed");
            }
            Syntax syntax = Syntax.ofVersion(version()).orElseThrow(() -> new Failure("cannot read Dovecot's version"));
            int blocks = Validation.blocks(syntax, entries);
            boolean large = blocks >= settings.largeConfigBlocks();
            String text = IncludeFile.render(syntax, entries, large);
            String old = Files.isRegularFile(settings.include()) ? Files.readString(settings.include(), UTF_8) : null;
            List<ConfigFiles.MissingFileLine> fixes = servers.isEmpty() || syntax == Syntax.V2_4 ? List.of()
                    : configFiles.missingFileLines(settings.include());
            Validation.Choice validation = Validation.choose(syntax, blocks, settings.largeConfigBlocks(), old,
                    proven.matches(old), !fixes.isEmpty());
            return new Plan(desired, entries, files, text, old, fixes, syntax, large, validation);
        } catch (IOException e) {
            throw new TargetException(NAME, "cannot read Dovecot's configuration: " + e.getMessage()
                    + "; nothing was changed", Map.of(), true, e);
        } catch (Failure e) {
            throw new TargetException(NAME, e.getMessage() + "; nothing was changed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(NAME, "interrupted; nothing was changed");
        }
    }

    private Served served(Optional<String> pattern, Binding b, Map<Path, Binding> files) {
        CertFiles.Installed paths = certFiles.pathsOf(b);
        files.put(paths.key(), b);
        return new Served(pattern, b.leafSha256(), b.id(), paths.fullChain(), paths.key());
    }

    private Change execute(Plan plan) throws TargetException, InterruptedException {
        Journal journal = new Journal();
        Running running;
        try {
            running = running();
        } catch (Failure e) {
            throw new TargetException(NAME, e.getMessage() + "; nothing was changed");
        }
        List<Endpoint> endpoints = running.listeners().endpoints(settings.probeAddress());
        ReloadLog log = new ReloadLog(running.listeners().logPath());
        String stage = "writing files";
        try {
            installFiles(plan, journal);
            step("files-written");
            stage = "writing the configuration";
            disableMissing(plan);
            Path fresh = settings.include().resolveSibling("." + settings.include().getFileName() + ".new");
            journal.remember(fresh);
            AtomicFiles.write(fresh, plan.text().getBytes(UTF_8), AtomicFiles.PUBLIC_READ);
            step("include-written");
            stage = "validating";
            validate(plan, fresh);
            step("validated");
            journal.remember(settings.include());
            if (plan.large() && running.configLimit().map(l -> l.below(DovecotSettings.LARGE_VSZ_LIMIT)).orElse(true)) {
                stage = "raising the config process's memory limit first";
                raiseLimitFirst(plan, journal, endpoints, log, running.configLimit());
                step("raised");
            }
            stage = "reloading";
            switchInclude(fresh);
            seam.at("switched");
            long mark = log.mark();
            long started = System.nanoTime();
            reload(log, mark);
            LOG.info("dovecot: reloaded in {} ms", (System.nanoTime() - started) / 1_000_000);
            step("reloaded");
            stage = "probing";
            List<ServedCheck.Expectation> expected = Expectations.of(IncludeFile.listed(plan.old()),
                    listedOf(plan.entries()), CANARIES);
            long probing = System.nanoTime();
            List<ServedCheck.Miss> misses = prove(endpoints, expected,
                    Validation.blocks(plan.syntax(), plan.entries()));
            Optional<String> logged = log.failureSince(mark);
            if (logged.isPresent()) {
                throw new Failure("the reload failed (Dovecot kept its old configuration): " + logged.get());
            }
            if (!misses.isEmpty()) {
                throw new ProbeFailure(misses);
            }
            LOG.info("dovecot: {} name(s) on {} endpoint(s) proven served in {} ms", expected.size(), endpoints.size(),
                    (System.nanoTime() - probing) / 1_000_000);
            step("probed");
        } catch (IOException | Failure e) {
            Map<String, String> errors = e instanceof ProbeFailure p ? p.byBinding()
                    : e instanceof FileFailure f ? f.errors : Map.of();
            throw restoreAfter(plan, journal, endpoints, log, stage + " failed: " + e.getMessage(), errors, e);
        }
        return new DovecotChange(plan, journal, endpoints, log);
    }

    /**
     * Writes the key and full chain of every certificate the include names, then flushes them to
     * disk together. Only files that did not exist are journaled (a rollback deletes them): a file
     * that exists is named by its leaf's SHA-256 and is rewritten only if it no longer held that
     * material, which a rollback need not bring back. Reading every existing file into the journal
     * cost 10,000 reads per apply at 5,000 names.
     */
    private void installFiles(Plan plan, Journal journal) throws IOException, FileFailure {
        Map<String, String> errors = new LinkedHashMap<>();
        for (Binding b : plan.files().values()) {
            CertFiles.Installed paths = certFiles.pathsOf(b);
            for (Path p : List.of(paths.key(), paths.fullChain())) {
                if (!Files.exists(p)) {
                    journal.remember(p);
                }
            }
            try {
                certFiles.install(b, FORMS);
            } catch (IOException e) {
                errors.put(b.id(), e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new FileFailure(errors);
        }
        certFiles.flush();
    }

    /**
     * Comments out the server-wide lines naming missing files, keeping a backup. They stay commented
     * out when the apply is undone: Dovecot can load no configuration that has them.
     */
    private void disableMissing(Plan plan) throws IOException {
        for (Map.Entry<Path, Set<Integer>> e : ConfigFiles.byFile(plan.fixes()).entrySet()) {
            Path file = e.getKey();
            Path backup = file.resolveSibling(file.getFileName() + ConfigFiles.BACKUP_SUFFIX);
            byte[] original = Files.readAllBytes(file);
            if (!Files.exists(backup)) {
                AtomicFiles.write(backup, original, Files.getPosixFilePermissions(file));
            }
            // Not journaled: a restored line naming a missing file would make the restoring reload fail.
            String edited = ConfigFiles.disable(new String(original, UTF_8), e.getValue());
            AtomicFiles.write(file, edited.getBytes(UTF_8), Files.getPosixFilePermissions(file));
            LOG.warn("dovecot: commented out {} line(s) of {} naming missing files (backup {})", e.getValue().size(),
                    file, backup);
        }
    }

    /** Validates what {@link Plan#validation} chose, before the new include is switched in. */
    private void validate(Plan plan, Path fresh) throws IOException, Failure, InterruptedException {
        long started = System.nanoTime();
        if (plan.validation().full()) {
            validateAll(fresh);
        } else {
            validateChanges(plan);
        }
        long took = (System.nanoTime() - started) / 1_000_000;
        LOG.info("dovecot: validated {} in {} ms ({})", plan.validation().full() ? "the whole configuration"
                : Validation.changedBlocks(plan.entries(), plan.old()).size() + " added or changed local_name block(s)",
                took, plan.validation().reason());
        if (plan.validation().full()) {
            lastFullParseMillis = took;
        }
        int blocks = Validation.blocks(plan.syntax(), plan.entries());
        if (blocks >= settings.largeConfigBlocks() && lastFullParseMillis >= parseBudget.toMillis()) {
            throw new Failure("Dovecot took " + lastFullParseMillis + " ms to read this configuration (doveconf -x of "
                    + blocks + " local_name blocks), and its processes give the config process 10 s to"
                    + " deliver it (CONFIG_READ_TIMEOUT_SECS): a reload that runs over fails, and Dovecot 2.3's master"
                    + " can die of it. Refusing to reload above " + parseBudget.toMillis() + " ms; serve fewer"
                    + " local_name blocks (each certificate gets one: use certificates that cover many domains, such"
                    + " as SAN bundles of up to 100) or run Dovecot on a faster machine");
        }
    }

    /**
     * Validates the main configuration with the new include read last, before it is switched in:
     * a wrapper includes the main file (which still includes the old include) and then the new one,
     * and {@code doveconf -x} opens every file either names. A missing file, a syntax error or any
     * other warning fails; the old include's own filters are not the new configuration's problem.
     */
    private void validateAll(Path fresh) throws IOException, Failure, InterruptedException {
        AtomicFiles.privateDirectory(settings.certDir());
        Path wrapper = settings.certDir().resolve(".validate.conf");
        AtomicFiles.write(wrapper, ("!include " + settings.config() + "\n!include " + fresh + "\n").getBytes(UTF_8),
                AtomicFiles.OWNER_ONLY);
        try {
            CommandResult r = run(List.of("doveconf", "-c", wrapper.toString(), "-x", "-n"), VALIDATE);
            if (!r.succeeded() && r.stderr().contains("configuration file " + settings.include() + " ")) {
                r = validateInACopy(fresh);
            }
            if (!r.succeeded() || !stderrBesidesTheOldInclude(r.stderr()).isBlank()) {
                throw new Failure("doveconf -x " + r.describe().replace(wrapper.toString(), settings.config().toString()));
            }
        } finally {
            Files.deleteIfExists(wrapper);
        }
    }

    /**
     * The whole configuration validated with the new include in the place of the one in force, in
     * a private copy of the configuration directory (0700, deleted afterwards). For when the include
     * in force cannot be parsed any more, say because a key file it names was deleted: Dovecot could
     * not reload it either, and every validation that reads it fails, though the new include may no
     * longer name that file. Files included from outside the directory are read where they are.
     */
    private CommandResult validateInACopy(Path fresh) throws IOException, Failure, InterruptedException {
        Path root = settings.config().getParent();
        Path copy = settings.certDir().resolve(".validate-copy");
        deleteTree(copy);
        AtomicFiles.privateDirectory(copy);
        try {
            for (Path f : configFiles.files()) {
                if (f.startsWith(root)) {
                    Path to = copy.resolve(root.relativize(f).toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(f.equals(settings.include()) ? fresh : f, to);
                }
            }
            Path main = copy.resolve(root.relativize(settings.config()).toString());
            LOG.warn("dovecot: the include in force cannot be parsed any more; validating the new one in its place,"
                    + " in a copy of {}", root);
            CommandResult r = run(List.of("doveconf", "-c", main.toString(), "-x", "-n"), VALIDATE);
            return new CommandResult(r.exitCode(), r.stdout(), r.stderr().replace(copy.toString(), root.toString()),
                    r.timedOut());
        } finally {
            deleteTree(copy);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Validates only what changed ({@link Validation#smallConfig}): {@code doveconf -x} on a small file
     * with the server-wide certificate and the added or changed blocks opens each file they name. Any
     * stderr fails.
     */
    private void validateChanges(Plan plan) throws IOException, Failure, InterruptedException {
        AtomicFiles.privateDirectory(settings.certDir());
        Path small = settings.certDir().resolve(".validate-changes.conf");
        AtomicFiles.write(small, Validation.smallConfig(plan.syntax(), plan.entries(), plan.old(), plan.large())
                .getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
        try {
            CommandResult r = run(List.of("doveconf", "-c", small.toString(), "-x", "-n"), VALIDATE);
            if (!r.succeeded() || !r.stderr().isBlank()) {
                throw new Failure("doveconf -x of the changed local_name blocks " + r.describe());
            }
        } finally {
            Files.deleteIfExists(small);
        }
    }

    /**
     * Switches in the interim include (the old one plus the raised limit), checks with doveconf that
     * the raise is effective (a later setting of the admin's could override it), reloads, waits until
     * the master has handled the reload, and proves the old certificates are still served. The caller
     * has journaled the include, so a failure restores the original.
     */
    private void raiseLimitFirst(Plan plan, Journal journal, List<Endpoint> endpoints, ReloadLog log,
            Optional<ConfigVszLimit> before) throws IOException, Failure, InterruptedException {
        Path interim = settings.include().resolveSibling("." + settings.include().getFileName() + ".interim");
        journal.remember(interim);
        AtomicFiles.write(interim, IncludeFile.interim(plan.old()).getBytes(UTF_8), AtomicFiles.PUBLIC_READ);
        switchInclude(interim);
        Optional<ConfigVszLimit> raised = running().configLimit();
        if (raised.isEmpty() || raised.get().below(DovecotSettings.LARGE_VSZ_LIMIT)) {
            throw new Failure("service config { vsz_limit } stays at " + raised.map(ConfigVszLimit::describe)
                    .orElse("an unknown value") + " with the include's raise: a later setting in Dovecot's"
                    + " configuration overrides it; set it to at least " + DovecotSettings.LARGE_VSZ_LIMIT + " there");
        }
        long mark = log.mark();
        long started = System.nanoTime();
        reload(log, mark);
        if (!log.awaitHandled(mark, RELOAD_HANDLED)) {
            LOG.warn("dovecot: the log does not show the reload raising the config process's limit being handled"
                    + " within {} s; going on", RELOAD_HANDLED.toSeconds());
        }
        Map<String, IncludeFile.Listed> served = IncludeFile.listed(plan.old());
        List<ServedCheck.Miss> misses = prove(endpoints, Expectations.of(served, served, CANARIES),
                IncludeFile.blockCount(plan.old()));
        Optional<String> logged = log.failureSince(mark);
        if (logged.isPresent()) {
            throw new Failure("the reload raising the config process's memory limit failed (Dovecot kept its old"
                    + " configuration): " + logged.get());
        }
        if (!misses.isEmpty()) {
            throw new ProbeFailure(misses);
        }
        LOG.info("dovecot: raised the config process's memory limit from {} to {} and proved it served in {} ms,"
                + " before switching in {} local_name blocks", before.map(ConfigVszLimit::describe).orElse("unknown"),
                DovecotSettings.LARGE_VSZ_LIMIT, (System.nanoTime() - started) / 1_000_000,
                Validation.blocks(plan.syntax(), plan.entries()));
    }

    /**
     * Proves {@code expected} after a reload: the first handshake with the warm-up deadline for a
     * configuration of {@code blocks} local_name blocks, then every expectation with the probe deadline.
     */
    private List<ServedCheck.Miss> prove(List<Endpoint> endpoints, List<ServedCheck.Expectation> expected,
            int blocks) throws InterruptedException {
        if (endpoints.isEmpty() || expected.isEmpty()) {
            return List.of();
        }
        Duration deadline = WarmUp.deadline(settings.probeDeadline(), blocks);
        WarmUp.Result first = warmUp.first(endpoints.get(0), expected.get(0), deadline);
        LOG.info("dovecot: first handshake after the reload took {} ms ({} local_name blocks, warm-up deadline {} s)",
                first.took().toMillis(), blocks, deadline.toSeconds());
        if (first.miss().isPresent()) {
            return List.of(first.miss().get());
        }
        return check.check(endpoints, expected);
    }

    /**
     * Stderr without the warnings that only come from validating the old include together with the
     * new one ("Global setting ssl_cert won't change the setting inside an earlier filter at
     * <old include>"): after the switch the old include is gone. Everything else counts as a failure.
     */
    private String stderrBesidesTheOldInclude(String stderr) {
        String artefact = "inside an earlier filter at " + settings.include() + " ";
        return stderr.lines().filter(l -> !(l.contains("Warning:") && l.contains(artefact)))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** Moves {@code fresh} over the include, atomically where the file system can. */
    private void switchInclude(Path fresh) throws IOException {
        try {
            Files.move(fresh, settings.include(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(fresh, settings.include(), StandardCopyOption.REPLACE_EXISTING);
        }
        AtomicFiles.syncDirectory(settings.include().getParent());
    }

    /**
     * Tells Dovecot's master to reload: a SIGHUP to the process named by {@code base_dir/master.pid},
     * which is what {@code doveadm reload} does after reading the whole configuration itself (4.5 s
     * at 5,000 names, before the master even starts its own parse). Falls back to {@code doveadm
     * reload} when the pid file does not name a running {@code dovecot}. Whether the reload worked
     * is decided afterwards by the log and the handshakes, as Dovecot reports no failure here.
     */
    private void reload(ReloadLog log, long mark) throws Failure, InterruptedException {
        Optional<ProcessHandle> master = masterProcess();
        if (master.isPresent()) {
            try {
                Optional<ProcessHandle> logProcess = child(master.get(), "/log");
                CommandResult r = run(List.of("kill", "-HUP", Long.toString(master.get().pid())), QUICK);
                if (r.succeeded() && r.stderr().isBlank()) {
                    logProcess.ifPresent(l -> awaitReloaded(l, log, mark));
                    return;
                }
                LOG.warn("dovecot: kill -HUP {} {}; trying doveadm reload", master.get().pid(), r.describe());
            } catch (Failure e) {
                LOG.warn("dovecot: {}; trying doveadm reload", e.getMessage());
            }
        }
        CommandResult r = run(List.of("doveadm", "-c", settings.config().toString(), "reload"), QUICK);
        // doveadm reports its own statistics connection timing out while Dovecot is busy parsing;
        // that says nothing about the reload.
        String complaints = r.stderr().lines().filter(l -> !l.contains("stats-writer"))
                .collect(java.util.stream.Collectors.joining("\n"));
        if (!r.succeeded() || !complaints.isBlank()) {
            throw new Failure("doveadm reload " + r.describe());
        }
    }

    /**
     * Waits until the master has finished a reload: it reads the new configuration through its
     * config process (seconds at thousands of names), then replaces its services, and its log
     * process with them. A second SIGHUP while it is still reading makes the read fail with EINTR,
     * and Dovecot 2.3.19's master then dies (measured: an interim reload followed 50 ms later by
     * the real one took the whole server down). So the log process of before the signal must be gone
     * before anything else happens. Bounded: a reload that failed keeps the old services, which the
     * log check and the handshakes then report.
     */
    private void awaitReloaded(ProcessHandle oldLog, ReloadLog log, long mark) {
        long end = System.nanoTime() + RELOAD_WAIT.toNanos();
        long started = System.nanoTime();
        while (oldLog.isAlive() && System.nanoTime() < end && log.failureSince(mark).isEmpty()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (log.failureSince(mark).isPresent()) {
            return;
        }
        if (oldLog.isAlive()) {
            LOG.warn("dovecot: the master has not replaced its services {} s after the reload signal (a failed reload"
                    + " keeps them); going on", RELOAD_WAIT.toSeconds());
        } else {
            LOG.info("dovecot: the master finished reloading {} ms after the signal", (System.nanoTime() - started)
                    / 1_000_000);
        }
    }

    /** A child of the master whose program ends with {@code suffix} ({@code /log}, {@code /config}). */
    private static Optional<ProcessHandle> child(ProcessHandle master, String suffix) {
        return master.children().filter(c -> c.info().command().map(cmd -> cmd.endsWith(suffix)).orElse(false))
                .findFirst();
    }

    /** The running master, from {@code master.pid} in the cached {@code base_dir}, if it is a dovecot. */
    private Optional<ProcessHandle> masterProcess() {
        if (runningCache == null || runningCache.baseDir().isEmpty()) {
            return Optional.empty();
        }
        try {
            String pid = Files.readString(runningCache.baseDir().get().resolve("master.pid"), UTF_8).strip();
            return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command().map(c -> c.endsWith("/dovecot")).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Map<String, IncludeFile.Listed> listedOf(List<Served> served) {
        Map<String, IncludeFile.Listed> m = new LinkedHashMap<>();
        served.forEach(s -> m.put(s.slot(), new IncludeFile.Listed(s.leafSha256(), s.bindingId())));
        return m;
    }

    private TargetException restoreAfter(Plan plan, Journal journal, List<Endpoint> endpoints, ReloadLog log,
            String message, Map<String, String> errors, Throwable cause) throws InterruptedException {
        LOG.warn("dovecot: {}; restoring the previous configuration", message);
        List<String> problems = restore(plan, journal, endpoints, log);
        if (problems.isEmpty()) {
            return new TargetException(NAME, message + "; the previous configuration is served again", errors, true,
                    cause);
        }
        return new TargetException(NAME, message + "; restoring failed too: " + String.join("; ", problems), errors,
                false, cause);
    }

    /**
     * Puts the journal back, reloads if the include had been switched (Dovecot reads nothing else the
     * apply touched), and proves the old include is served; returns what went wrong.
     */
    private List<String> restore(Plan plan, Journal journal, List<Endpoint> endpoints, ReloadLog log)
            throws InterruptedException {
        boolean switched = journal.contains(settings.include());
        List<String> problems = new ArrayList<>(journal.restore());
        if (!problems.isEmpty()) {
            return problems;
        }
        long mark = log.mark();
        if (switched) {
            try {
                reload(log, mark);
            } catch (Failure e) {
                problems.add(e.getMessage());
                return problems;
            }
        }
        Map<String, IncludeFile.Listed> before = IncludeFile.listed(plan.old());
        List<ServedCheck.Expectation> expected = Expectations.of(listedOf(plan.entries()), before, CANARIES);
        List<ServedCheck.Miss> misses = switched ? prove(endpoints, expected, IncludeFile.blockCount(plan.old()))
                : check.check(endpoints, expected);
        for (ServedCheck.Miss m : misses) {
            problems.add("after restoring, " + m.describe());
        }
        log.failureSince(mark).ifPresent(f -> problems.add("the reload after restoring failed: " + f));
        if (problems.isEmpty() && expected.isEmpty()) {
            LOG.info("dovecot: previous configuration restored; it held no certificate of mailcert's, so there was"
                    + " nothing to prove by handshake");
        } else if (problems.isEmpty()) {
            LOG.info("dovecot: previous configuration restored and proven served ({} check(s))", expected.size());
        }
        return problems;
    }

    private void step(String step) throws IOException {
        Steps.reached(NAME + "." + step);
        seam.at(step);
    }

    private String version() throws Failure, InterruptedException {
        CommandResult r = run(List.of("dovecot", "--version"), QUICK);
        if (!r.succeeded() || r.stdout().isBlank()) {
            throw new Failure("dovecot --version " + r.describe());
        }
        return r.stdout().strip();
    }

    /** What the configuration on disk (the one in force, outside an apply) says about listeners and limits. */
    /**
     * The configuration in force, from one {@code doveconf} listing. That parses the whole
     * configuration, 4–5 s at 5,000 {@code local_name} blocks, so the listing is kept and read
     * again only when a file under the configuration's directory other than the include changed
     * (path, size, modification time), or when the include starts or stops raising the config
     * process's limit (the one value of the listing the include sets).
     */
    private Running running() throws Failure, InterruptedException {
        String key;
        try {
            key = configFingerprint();
        } catch (IOException e) {
            key = null;
        }
        if (key != null && key.equals(runningKey) && runningCache != null) {
            return runningCache;
        }
        CommandResult r = run(List.of("doveconf", "-c", settings.config().toString(), "protocols", "ssl", "log_path",
                "service", "default_vsz_limit", "base_dir"), QUICK);
        if (!r.succeeded() || !r.stderr().isBlank()) {
            throw new Failure("doveconf " + r.describe());
        }
        Optional<Path> baseDir = r.stdout().lines().filter(l -> l.startsWith("base_dir = "))
                .map(l -> l.substring("base_dir = ".length()).strip()).filter(v -> v.startsWith("/"))
                .map(Path::of).findFirst();
        Running running = new Running(Listeners.parse(r.stdout()), ConfigVszLimit.parse(r.stdout()), baseDir);
        runningKey = key;
        runningCache = running;
        return running;
    }

    /** Path, size and modification time of every configuration file but the include, and whether the include raises the limit. */
    private String configFingerprint() throws IOException {
        StringBuilder out = new StringBuilder();
        Path include = settings.include();
        String ours = include.getFileName().toString();
        try (Stream<Path> files = Files.walk(settings.config().toAbsolutePath().getParent(), 3)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String n = f.getFileName().toString();
                if (f.equals(include) || n.startsWith("." + ours)) {
                    continue;
                }
                out.append(f).append(' ').append(Files.size(f)).append(' ')
                        .append(Files.getLastModifiedTime(f).toInstant()).append('\n');
            }
        }
        out.append(Files.isRegularFile(include) && Files.readString(include, UTF_8).contains("vsz_limit"));
        return out.toString();
    }

    /**
     * The configuration in force.
     *
     * @param listeners the TLS listeners and log
     * @param configLimit the config process's effective memory limit, if doveconf showed it
     * @param baseDir Dovecot's {@code base_dir}, where {@code master.pid} is
     */
    private record Running(Listeners listeners, Optional<ConfigVszLimit> configLimit, Optional<Path> baseDir) {
    }

    private boolean versionFirst() throws IOException {
        for (String line : Files.readAllLines(settings.config(), UTF_8)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                return s.startsWith("dovecot_config_version");
            }
        }
        return false;
    }

    private String notIncluded() {
        return settings.config() + " does not include " + settings.include()
                + " (add !include " + settings.include() + " at its end)";
    }

    private CommandResult run(List<String> args, Duration timeout) throws Failure, InterruptedException {
        try {
            return runner.run(new Command(args, Map.of(), timeout));
        } catch (CommandException e) {
            throw new Failure(args.get(0) + " could not be started: " + e.getMessage());
        }
    }

    /** One apply's decisions. */
    private record Plan(List<Binding> desired, List<Served> entries, Map<Path, Binding> files, String text,
            String old, List<ConfigFiles.MissingFileLine> fixes, Syntax syntax, boolean large,
            Validation.Choice validation) {
        boolean nothingToDo() {
            return text.equals(old) && fixes.isEmpty()
                    && files.keySet().stream().allMatch(Files::isRegularFile);
        }

        ApplyReport report() {
            Map<String, IncludeFile.Listed> before = IncludeFile.listed(old);
            Set<String> changed = new HashSet<>();
            for (Served s : entries) {
                IncludeFile.Listed was = before.get(s.slot());
                if (was == null || !was.leafSha256().equals(s.leafSha256())) {
                    changed.add(s.bindingId());
                }
            }
            Map<String, Outcome> outcomes = new LinkedHashMap<>();
            for (Binding b : desired) {
                outcomes.put(b.id(), changed.contains(b.id()) ? Outcome.INSTALLED : Outcome.UNCHANGED);
            }
            Set<String> now = new HashSet<>();
            entries.forEach(s -> now.add(s.slot()));
            List<String> removed = before.keySet().stream().filter(k -> !now.contains(k))
                    .map(k -> k.isEmpty() ? "(server-wide default)" : k).toList();
            return new ApplyReport(NAME, outcomes, removed);
        }
    }

    /** A failure inside an apply, translated to a TargetException once, where the restore happens. */
    private static class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    /** Certificate files that could not be installed, per binding. */
    private static final class FileFailure extends Failure {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, String> errors;

        FileFailure(Map<String, String> errors) {
            super(errors.size() + " binding(s) with files that Dovecot could not load: "
                    + String.join("; ", errors.values()));
            this.errors = errors;
        }
    }

    /** Endpoints that did not serve what they should. */
    private static final class ProbeFailure extends Failure {
        private static final long serialVersionUID = 1L;
        private final transient List<ServedCheck.Miss> misses;

        ProbeFailure(List<ServedCheck.Miss> misses) {
            super(misses.size() + " handshake(s) did not show the expected certificate, first: "
                    + misses.get(0).describe());
            this.misses = misses;
        }

        Map<String, String> byBinding() {
            Map<String, String> errors = new LinkedHashMap<>();
            for (ServedCheck.Miss m : misses) {
                errors.merge(m.expected().bindingId(), m.describe(), (a, b) -> a + "; " + b);
            }
            return errors;
        }
    }

    /** An applied include that stays revocable until committed. */
    private final class DovecotChange implements Change {
        private final Plan plan;
        private final Journal journal;
        private final List<Endpoint> endpoints;
        private final ReloadLog log;

        DovecotChange(Plan plan, Journal journal, List<Endpoint> endpoints, ReloadLog log) {
            this.plan = plan;
            this.journal = journal;
            this.endpoints = endpoints;
            this.log = log;
        }

        @Override
        public ApplyReport report() {
            return plan.report();
        }

        @Override
        public void rollback() throws TargetException {
            if (journal.isEmpty()) {
                return;
            }
            try {
                List<String> problems = restore(plan, journal, endpoints, log);
                if (!problems.isEmpty()) {
                    throw new TargetException(NAME, "cannot restore the previous configuration: "
                            + String.join("; ", problems), Map.of(), false, null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TargetException(NAME, "interrupted while restoring", Map.of(), false, e);
            }
        }

        @Override
        public void commit() {
            boolean applied = !journal.isEmpty();
            journal.forget();
            if (applied) {
                try {
                    proven.record(plan.text());
                } catch (IOException e) {
                    LOG.warn("dovecot: cannot record the include as proven served ({}); the next change validates the"
                            + " whole configuration", e.getMessage());
                }
            }
            try {
                Set<Path> kept = new HashSet<>();
                plan.files().values().forEach(b -> kept.addAll(certFiles.pathsOf(b).paths()));
                List<Path> deleted = certFiles.prune(kept);
                if (!deleted.isEmpty()) {
                    LOG.info("dovecot: deleted {} old certificate file(s)", deleted.size());
                }
                Steps.reached(NAME + ".pruned");
            } catch (IOException e) {
                LOG.warn("dovecot: cannot delete old certificate files in {}: {}", certFiles.dir(), e.getMessage());
            }
        }
    }
}
