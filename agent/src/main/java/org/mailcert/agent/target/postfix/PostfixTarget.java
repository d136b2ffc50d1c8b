package org.mailcert.agent.target.postfix;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mailcert.agent.drift.FileObserver;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.TargetObservation;
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
import org.mailcert.agent.target.mail.FileStamp;
import org.mailcert.agent.target.mail.Inspectable;
import org.mailcert.agent.target.mail.ProbeSample;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.mail.SniName;
import org.mailcert.agent.target.mail.Steps;
import org.mailcert.agent.target.mail.TargetFacts;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.Fingerprints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the SERVER binding's certificate as Postfix's default ({@code smtpd_tls_chain_files}, a
 * key-first file) and each MAIL binding's by SNI through a managed {@code tls_server_sni_maps} map
 * built with {@code postmap -F}. Each apply writes versioned files and a new content-named map beside
 * the old ones, validates them with Postfix's tools, switches main.cf in one {@code postconf -e},
 * reloads and proves by handshakes that every changed name, a few unchanged ones and the no-SNI
 * default are served on every TLS endpoint; any failure puts main.cf's old values back, reloads and
 * proves the old state again. Old files are deleted only at {@link Change#commit()}. Nothing changed
 * means no reload. WEBMAIL bindings are not this target's and are reported unchanged. An empty set
 * (or no SERVER / no MAIL binding) removes this agent's parameters from main.cf, so Postfix falls back
 * to the admin's own (legacy) TLS settings. An admin's own {@code tls_server_sni_maps} is never
 * overwritten: MAIL bindings then fail with a conflict. Not thread-safe.
 */
public final class PostfixTarget implements Target, Inspectable, Observable {
    /** The target's name. */
    public static final String NAME = "postfix";
    /** The server-wide key-first chain file parameter this agent owns. */
    public static final String CHAIN_FILES = "smtpd_tls_chain_files";
    /** The SNI map parameter this agent owns (unless the admin set it). */
    public static final String SNI_MAPS = "tls_server_sni_maps";
    /** Unchanged names probed as a canary after a reload, besides every changed name. */
    static final int CANARIES = 3;
    private static final String LEGACY_CERT_FILE = "smtpd_tls_cert_file";
    /**
     * Written before main.cf is switched and deleted once the result is proven served (or restored):
     * if the agent dies between the switch and the reload, the next apply sees it and reloads and
     * probes even when the desired set is unchanged.
     */
    static final String PENDING = ".reload-pending";
    /** Where the admin's own {@code smtpd_tls_chain_files} is kept while the agent manages it. */
    static final String ADMIN_VALUES = "admin-values.cf";
    private static final Logger LOG = LoggerFactory.getLogger(PostfixTarget.class);


    /** A test-only hook run after a step, to damage files between steps. */
    interface Seam {
        void after(String step) throws IOException;
    }

    /** How long the last apply that changed something took, in milliseconds (steps: since its start). */
    record Timings(long reloadMillis, long probeMillis, long totalMillis, Map<String, Long> steps, List<String> commands) {
    }

    private final PostfixSettings settings;
    private final PostfixTools tools;
    private final CertFiles files;
    private final ServedCheck check;
    private final PostfixInspector inspector;
    private final SniMapBuilder mapBuilder;
    private Seam seam = step -> { };
    private Timings lastTimings = new Timings(0, 0, 0, Map.of(), List.of());
    private final Map<String, Long> stepTimes = new LinkedHashMap<>();
    private long applyStarted;

    /**
     * Creates the target.
     *
     * @param settings where Postfix's configuration and the agent's files are
     * @param runner runs postconf, postmap and postfix
     * @param probe does the live handshakes
     */
    public PostfixTarget(PostfixSettings settings, CommandRunner runner, TlsProbe probe) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tools = new PostfixTools(runner, settings.configDir(), settings.commandTimeout());
        this.files = new CertFiles(settings.managedDir());
        this.check = new ServedCheck(probe, settings.probeDeadline());
        this.inspector = new PostfixInspector(tools, settings);
        this.mapBuilder = new SniMapBuilder(tools, settings.managedDir());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TargetFacts inspect() throws InterruptedException {
        return inspector.inspect();
    }

    void seam(Seam seam) {
        this.seam = seam;
    }

    /** Test-only: from how many entries on a small change updates a copy of the applied map. */
    void incrementalFrom(int entries) {
        mapBuilder.incrementalFrom(entries);
    }

    CertFiles files() {
        return files;
    }

    Timings lastTimings() {
        return lastTimings;
    }

    @Override
    public Change apply(List<Binding> desired) throws TargetException {
        try {
            return applyInterruptibly(desired);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(NAME, "interrupted while applying; main.cf may hold the new or the old values",
                    Map.of(), false, e);
        }
    }

    private Change applyInterruptibly(List<Binding> desired) throws TargetException, InterruptedException {
        long started = System.nanoTime();
        applyStarted = started;
        stepTimes.clear();
        tools.takeDurations();
        List<SniName> names = SniName.of(desired, NAME);
        Optional<Binding> server = serverBinding(desired);
        Map<String, String> before = readMainCf("before the change");
        String oldChain = before.get(CHAIN_FILES);
        String oldMaps = before.get(SNI_MAPS);
        Optional<Path> oldMapSource = SniMap.managedSource(oldMaps, settings.managedDir());
        if (oldMaps != null && !oldMaps.isBlank() && oldMapSource.isEmpty() && !names.isEmpty()) {
            throw conflict(desired, oldMaps);
        }
        Map<String, SniMap.Entry> oldEntries = readEntries(oldMapSource);
        List<Endpoint> endpoints = endpoints();
        stepTimes.put("planned", (System.nanoTime() - started) / 1_000_000);

        Created created = new Created();
        Map<String, CertFiles.Installed> installed = new LinkedHashMap<>();
        Set<String> filesWritten = new HashSet<>();
        Map<String, Map<Path, Optional<FileStamp>>> stamped = new HashMap<>();
        String newMaps;
        Map<String, SniMap.Entry> newEntries;
        boolean mapBuilt;
        try {
            installFiles(desired, server, names, installed, filesWritten, stamped, created);
            step("files-written");
            newEntries = SniMap.entries(names, b -> installed.get(b.id()));
            newMaps = oldMapSource.isEmpty() && names.isEmpty() ? oldMaps : null;
            mapBuilt = false;
            if (!newEntries.isEmpty()) {
                SniMapBuilder.Built build;
                try {
                    build = mapBuilder.build(newEntries, oldEntries, oldMaps, names, created::add);
                } catch (SniMapBuilder.MapFailure f) {
                    throw new Refusal(f.getMessage(), f.errors());
                }
                newMaps = build.typedMap();
                mapBuilt = build.built();
            }
            step("map-built");
            // Files that changed since installFiles checked them are verified again before the switch.
            // Verifying every file (a key match each) cost seconds per apply at thousands of names.
            for (Map.Entry<String, CertFiles.Installed> e : installed.entrySet()) {
                if (changedSince(stamped.get(e.getKey()))) {
                    verifyFiles(e.getKey(), e.getValue());
                }
            }
        } catch (Refusal r) {
            throw restoreFiles(created, r);
        }

        // Without a server-wide binding, the admin's own value comes back: the one main.cf has if it
        // is not ours, else the one this agent replaced when it took the parameter over.
        String adminChain = isOurChain(oldChain) ? savedAdminChain().orElse(null) : oldChain;
        String newChain = server.map(b -> installed.get(b.id()).keyAndChain().toString()).orElse(adminChain);
        Map<String, String> sets = new LinkedHashMap<>();
        List<String> unsets = new ArrayList<>();
        plan(CHAIN_FILES, oldChain, newChain, sets, unsets);
        plan(SNI_MAPS, oldMaps, newMaps, sets, unsets);

        Set<String> changedKeys = SniMap.changedKeys(oldEntries, newEntries);
        Map<String, Outcome> outcomes = outcomes(desired, server, names, filesWritten, changedKeys,
                !Objects.equals(oldChain, newChain));
        List<String> removed = new ArrayList<>();
        for (String k : oldEntries.keySet()) {
            if (!newEntries.containsKey(k)) {
                removed.add(k.startsWith(".") ? "*" + k : k);
            }
        }
        ApplyReport report = new ApplyReport(NAME, outcomes, removed);
        Keep keep = new Keep(installed.values().stream().flatMap(i -> i.paths().stream()).toList(),
                newMaps == null ? Optional.empty() : SniMap.managedSource(newMaps, settings.managedDir()));
        Path pending = settings.managedDir().resolve(PENDING);
        if (sets.isEmpty() && unsets.isEmpty() && filesWritten.isEmpty() && !mapBuilt && !Files.exists(pending)) {
            LOG.debug("postfix target: nothing to change in {}", settings.configDir());
            return new PostfixChange(report, keep, null);
        }

        ServedModel oldModel = ServedModel.read(oldChain, before.get(LEGACY_CERT_FILE), oldEntries);
        ServedModel newModel = newModel(server, oldChain, newChain, before.get(LEGACY_CERT_FILE), newEntries, names);
        List<String> probeNames = probeNames(oldEntries, newEntries, changedKeys);
        Restore restore = new Restore(before, sets, unsets, created, endpoints, oldModel.expectations(probeNames));
        long reloadMillis;
        long probeMillis;
        try {
            try {
                AtomicFiles.privateDirectory(settings.managedDir());
                AtomicFiles.write(pending, new byte[0], AtomicFiles.OWNER_ONLY);
                if (server.isPresent() && !isOurChain(oldChain)) {
                    saveAdminChain(oldChain);
                }
            } catch (IOException e) {
                throw new Refusal("cannot write " + pending + ": " + e.getMessage(), Map.of());
            }
            tools.set(sets);
            tools.unset(unsets);
            step("config-switched");
            Map<String, String> after = readMainCfForSwitch();
            for (Map.Entry<String, String> e : sets.entrySet()) {
                if (!e.getValue().equals(after.get(e.getKey()))) {
                    throw new Refusal("main.cf does not show " + e.getKey() + " = " + e.getValue() + " after postconf -e",
                            Map.of());
                }
            }
            long t0 = System.nanoTime();
            tools.reload();
            reloadMillis = (System.nanoTime() - t0) / 1_000_000;
            step("reloaded");
            long t1 = System.nanoTime();
            List<ServedCheck.Miss> misses = check.check(endpoints, newModel.expectations(probeNames));
            probeMillis = (System.nanoTime() - t1) / 1_000_000;
            if (!misses.isEmpty()) {
                Map<String, String> errors = new LinkedHashMap<>();
                for (ServedCheck.Miss m : misses) {
                    errors.merge(m.expected().bindingId(), m.describe(), (a, b) -> a + "; " + b);
                }
                throw new Refusal("the new certificates are not served after the reload: " + misses.get(0).describe()
                        + (misses.size() > 1 ? " (and " + (misses.size() - 1) + " more)" : ""), errors);
            }
            clearPending(pending);
            step("probed");
        } catch (ToolException e) {
            throw restore.after(new Refusal(e.getMessage(), Map.of()));
        } catch (Refusal r) {
            throw restore.after(r);
        }
        long total = (System.nanoTime() - started) / 1_000_000;
        lastTimings = new Timings(reloadMillis, probeMillis, total, Map.copyOf(stepTimes), tools.takeDurations());
        LOG.info("postfix target: switched {} (set {}, removed {}); reload {} ms, probes {} ms on {} endpoint(s), "
                + "apply {} ms (steps at {}; commands {})", settings.configDir(), sets.keySet(), unsets, reloadMillis,
                probeMillis, endpoints.size(), total, stepTimes, lastTimings.commands());
        return new PostfixChange(report, keep, restore);
    }

    private void step(String name) throws Refusal {
        Steps.reached(NAME + "." + name);
        stepTimes.put(name, (System.nanoTime() - applyStarted) / 1_000_000);
        try {
            seam.after(name);
        } catch (IOException e) {
            throw new Refusal(e.getMessage(), Map.of());
        }
    }

    private static void clearPending(Path pending) {
        try {
            Files.deleteIfExists(pending);
        } catch (IOException e) {
            LOG.warn("postfix target: cannot delete {}: {} (the next apply reloads once more)", pending, e.getMessage());
        }
    }

    private Optional<Binding> serverBinding(List<Binding> desired) throws TargetException {
        List<Binding> servers = desired.stream().filter(b -> b.scope() == Scope.SERVER).toList();
        if (servers.stream().map(Binding::leafSha256).distinct().count() > 1) {
            Map<String, String> errors = new LinkedHashMap<>();
            servers.forEach(b -> errors.put(b.id(), "more than one server-wide certificate is desired"));
            throw new TargetException(NAME, "more than one server-wide certificate; nothing was changed", errors);
        }
        return servers.stream().findFirst();
    }

    /**
     * What Postfix has of {@code desired}, for a drift cycle: each binding's files as the apply
     * writes them, the two {@code main.cf} parameters this target owns (and the SNI map's source
     * file) against what an apply of {@code desired} would set, and the TLS endpoints with the names
     * to probe (a wildcard by a name under it). Runs {@code postconf} (twice) and reads files;
     * changes nothing.
     */
    @Override
    public TargetObservation observe(List<Binding> desired) throws TargetException, InterruptedException {
        List<SniName> names = SniName.of(desired, NAME);
        Optional<Binding> server = serverBinding(desired);
        Map<String, List<Observed.File>> observedFiles = new LinkedHashMap<>();
        Map<Path, Observed.File> seen = new HashMap<>();
        server.ifPresent(b -> observedFiles.put(b.id(), observeFiles(b, EnumSet.allOf(CertFiles.Form.class), seen)));
        for (SniName n : names) {
            observedFiles.computeIfAbsent(n.binding().id(), id -> observeFiles(n.binding(),
                    EnumSet.of(CertFiles.Form.KEY, CertFiles.Form.FULLCHAIN), seen));
        }
        Map<String, String> mainCf = readMainCf("while observing it");
        List<Observed.Config> configs = new ArrayList<>();
        server.ifPresent(b -> configs.add(new Observed.Config(NAME, "main.cf " + CHAIN_FILES,
                files.pathsOf(b).keyAndChain().toString(), Optional.ofNullable(mainCf.get(CHAIN_FILES)))));
        Map<String, String> probeNames = new LinkedHashMap<>();
        if (!names.isEmpty()) {
            Map<String, SniMap.Entry> entries = SniMap.entries(names, files::pathsOf);
            String text = SniMap.render(entries);
            Path source = SniMap.pathFor(settings.managedDir(), text);
            String type;
            try {
                type = tools.value("default_database_type");
            } catch (ToolException e) {
                throw new TargetException(NAME, "cannot read default_database_type: " + e.getMessage());
            }
            configs.add(new Observed.Config(NAME, "main.cf " + SNI_MAPS, type + ":" + source,
                    Optional.ofNullable(mainCf.get(SNI_MAPS))));
            configs.add(new Observed.Config(NAME, source.toString(), Fingerprints.sha256Hex(text.getBytes(UTF_8)),
                    FileObserver.contentSha256(source)));
            Map<String, String> bindingOfKey = new LinkedHashMap<>();
            names.forEach(n -> bindingOfKey.putIfAbsent(SniMap.key(n), n.binding().id()));
            entries.values().forEach(e -> probeNames.put(e.probeName(), bindingOfKey.get(e.key())));
        }
        return new TargetObservation(NAME, observedFiles, configs, endpoints(), probeNames, true);
    }

    /** {@code main.cf} (domains) and {@code master.cf} (ports). */
    @Override
    public List<Path> factSources() {
        return List.of(settings.configDir().resolve("main.cf"), settings.configDir().resolve("master.cf"));
    }

    /** {@code main.cf} and {@code master.cf}, and the directory of the SNI map's source. */
    @Override
    public List<Path> watched() {
        return List.of(settings.configDir().resolve("main.cf"), settings.configDir().resolve("master.cf"),
                settings.managedDir());
    }

    /**
     * A binding's files as found; {@code seen} holds the files observed already in this cycle, so the
     * files of a certificate that many bindings share are read once.
     */
    private List<Observed.File> observeFiles(Binding b, Set<CertFiles.Form> forms, Map<Path, Observed.File> seen) {
        CertFiles.Installed paths = files.pathsOf(b);
        List<Observed.File> out = new ArrayList<>();
        for (CertFiles.Form f : forms) {
            out.add(seen.computeIfAbsent(paths.path(f), p -> {
                String content = switch (f) {
                    case KEY -> b.keyPem();
                    case FULLCHAIN -> b.fullChainPem();
                    case KEY_AND_CHAIN -> b.keyPem() + b.fullChainPem();
                };
                return FileObserver.observe(p, f != CertFiles.Form.FULLCHAIN, content.getBytes(US_ASCII));
            }));
        }
        return out;
    }

    private Map<String, String> readMainCf(String when) throws TargetException, InterruptedException {
        try {
            return tools.nonDefault();
        } catch (ToolException e) {
            throw new TargetException(NAME, "Postfix's configuration is not valid " + when + " (" + e.getMessage()
                    + "); nothing was changed", Map.of(), true, e);
        }
    }

    private Map<String, String> readMainCfForSwitch() throws ToolException, InterruptedException {
        return tools.nonDefault();
    }

    private TargetException conflict(List<Binding> desired, String oldMaps) {
        String message = inspector.conflict(oldMaps).orElseThrow();
        Map<String, String> errors = new LinkedHashMap<>();
        desired.stream().filter(b -> b.scope() == Scope.MAIL).forEach(b -> errors.put(b.id(), message));
        return new TargetException(NAME, message + "; nothing was changed", errors);
    }

    private Map<String, SniMap.Entry> readEntries(Optional<Path> source) {
        if (source.isEmpty() || !Files.isRegularFile(source.get())) {
            return Map.of();
        }
        try {
            return SniMap.parse(Files.readString(source.get(), UTF_8));
        } catch (IOException e) {
            LOG.warn("postfix target: cannot read the current SNI map {}: {}", source.get(), e.getMessage());
            return Map.of();
        }
    }

    private List<Endpoint> endpoints() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        List<Endpoint> endpoints = inspector.endpoints(problems);
        problems.forEach(p -> LOG.warn("postfix target: {}", p));
        if (endpoints.isEmpty()) {
            LOG.warn("postfix target: master.cf enables no TLS endpoint; changes cannot be proven by handshakes");
        }
        return endpoints;
    }

    private void installFiles(List<Binding> desired, Optional<Binding> server, List<SniName> names,
            Map<String, CertFiles.Installed> installed, Set<String> written,
            Map<String, Map<Path, Optional<FileStamp>>> stamped, Created created) throws Refusal {
        // The default needs the key-first file for smtpd_tls_chain_files (its key and full chain
        // are written too, for CertFiles.verify); the SNI map's entries name the key and the full
        // chain (postmap -F concatenates them), so a domain's certificate needs no third file.
        Map<String, Binding> wanted = new LinkedHashMap<>();
        Map<String, Set<CertFiles.Form>> forms = new HashMap<>();
        server.ifPresent(b -> {
            wanted.put(b.id(), b);
            forms.put(b.id(), EnumSet.allOf(CertFiles.Form.class));
        });
        for (SniName n : names) {
            wanted.putIfAbsent(n.binding().id(), n.binding());
            forms.computeIfAbsent(n.binding().id(), id -> EnumSet.noneOf(CertFiles.Form.class))
                    .addAll(List.of(CertFiles.Form.KEY, CertFiles.Form.FULLCHAIN));
        }
        Map<String, String> errors = new LinkedHashMap<>();
        for (Binding b : wanted.values()) {
            CertFiles.Installed paths = files.pathsOf(b);
            try {
                for (Path p : forms.get(b.id()).stream().map(paths::path).toList()) {
                    // Remembered before writing, so a failure part way still deletes what was created.
                    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                        created.add(p);
                    }
                }
                CertFiles.Written w = files.installReporting(b, forms.get(b.id()));
                installed.put(b.id(), w.paths());
                if (w.changed()) {
                    written.add(b.id());
                }
                Map<Path, Optional<FileStamp>> after = new LinkedHashMap<>();
                w.stamps().forEach((p, stamp) -> after.put(p, Optional.of(stamp)));
                stamped.put(b.id(), after);
            } catch (IOException e) {
                errors.put(b.id(), e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new Refusal(errors.size() + " certificate(s) could not be installed: "
                    + errors.values().iterator().next(), errors);
        }
        try {
            files.flush();
        } catch (IOException e) {
            throw new Refusal("cannot flush the certificate files to disk: " + e.getMessage(), Map.of());
        }
    }

    /**
     * Whether a binding's files differ from what {@code installFiles} left: it wrote and verified
     * them, or found them byte-equal to the binding's material, and took their stamps then.
     */
    private static boolean changedSince(Map<Path, Optional<FileStamp>> stamps) {
        if (stamps == null) {
            return true;
        }
        try {
            for (Map.Entry<Path, Optional<FileStamp>> e : stamps.entrySet()) {
                if (FileStamp.changed(e.getValue(), FileStamp.of(e.getKey()))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private void verifyFiles(String bindingId, CertFiles.Installed installed) throws Refusal {
        try {
            CertFiles.verify(installed);
        } catch (IOException e) {
            throw new Refusal("certificate files changed before the switch: " + e.getMessage(),
                    Map.of(bindingId, e.getMessage()));
        }
    }

    /**
     * The {@code smtpd_tls_chain_files} value the admin had before this agent took the parameter
     * over, kept in the managed directory so that removing the server-wide binding gives it back.
     */
    private Optional<String> savedAdminChain() {
        Path file = settings.managedDir().resolve(ADMIN_VALUES);
        try {
            return Files.isRegularFile(file)
                    ? Optional.ofNullable(PostfixTools.parameters(Files.readString(file, UTF_8)).get(CHAIN_FILES))
                    : Optional.empty();
        } catch (IOException e) {
            LOG.warn("postfix target: cannot read {}: {}; the admin's earlier {} is not restored", file, e.getMessage(),
                    CHAIN_FILES);
            return Optional.empty();
        }
    }

    /** Remembers the admin's value (none: forgets an older one). */
    private void saveAdminChain(String value) throws IOException {
        Path file = settings.managedDir().resolve(ADMIN_VALUES);
        if (value == null || value.isBlank()) {
            Files.deleteIfExists(file);
            return;
        }
        AtomicFiles.write(file, ("# The admin's value before mailcert-agent managed it; restored when the server-wide"
                + " binding is removed.\n" + CHAIN_FILES + " = " + value + "\n").getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
    }

    private boolean isOurChain(String chain) {
        return chain != null && chain.startsWith(settings.managedDir() + "/");
    }

    private static void plan(String param, String oldValue, String newValue, Map<String, String> sets,
            List<String> unsets) {
        if (newValue == null && oldValue != null) {
            unsets.add(param);
        } else if (newValue != null && !newValue.equals(oldValue)) {
            sets.put(param, newValue);
        }
    }

    private static Map<String, Outcome> outcomes(List<Binding> desired, Optional<Binding> server, List<SniName> names,
            Set<String> written, Set<String> changedKeys, boolean chainChanged) {
        Set<String> installedIds = new HashSet<>(written);
        server.filter(b -> chainChanged).ifPresent(b -> installedIds.add(b.id()));
        names.stream().filter(n -> changedKeys.contains(SniMap.key(n))).forEach(n -> installedIds.add(n.binding().id()));
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (Binding b : desired) {
            boolean ours = b.scope() != Scope.WEBMAIL;
            outcomes.put(b.id(), ours && installedIds.contains(b.id()) ? Outcome.INSTALLED : Outcome.UNCHANGED);
        }
        return outcomes;
    }

    private ServedModel newModel(Optional<Binding> server, String oldChain, String newChain, String legacyCert,
            Map<String, SniMap.Entry> entries, List<SniName> names) {
        Map<String, String> leaves = new LinkedHashMap<>();
        Map<String, String> bindings = new LinkedHashMap<>();
        for (SniName n : names) {
            leaves.putIfAbsent(SniMap.key(n), n.binding().leafSha256());
            bindings.putIfAbsent(SniMap.key(n), n.binding().id());
        }
        Optional<String> def = server.map(Binding::leafSha256);
        if (server.isEmpty()) {
            def = ServedModel.read(Objects.equals(oldChain, newChain) ? oldChain : newChain, legacyCert, Map.of())
                    .defaultLeaf();
        }
        return new ServedModel(def, server.map(Binding::id).orElse("server"), entries, leaves, bindings);
    }

    /**
     * Every changed or removed name (a {@link ProbeSample} of them when there are very many), plus up
     * to {@link #CANARIES} unchanged ones.
     */
    private static List<String> probeNames(Map<String, SniMap.Entry> oldEntries, Map<String, SniMap.Entry> newEntries,
            Set<String> changedKeys) {
        Set<String> names = new LinkedHashSet<>();
        Map<String, SniMap.Entry> all = new LinkedHashMap<>(oldEntries);
        newEntries.forEach(all::putIfAbsent);
        List<SniMap.Entry> changed = changedKeys.stream().map(all::get).toList();
        for (SniMap.Entry e : ProbeSample.of(changed, x -> x.chainFile().toString(), ProbeSample.MAX_PROVEN)) {
            names.add(e.probeName());
        }
        newEntries.values().stream().filter(e -> !changedKeys.contains(e.key())).limit(CANARIES)
                .forEach(e -> names.add(e.probeName()));
        return List.copyOf(names);
    }

    /** Deletes the files this apply created and builds the exception (nothing in main.cf changed yet). */
    private TargetException restoreFiles(Created created, Refusal r) {
        List<String> problems = created.delete();
        if (problems.isEmpty()) {
            return new TargetException(NAME, r.getMessage() + "; nothing was changed", r.errors, true, null);
        }
        return new TargetException(NAME, r.getMessage() + "; main.cf unchanged, but leftover files: "
                + String.join("; ", problems), r.errors, true, null);
    }

    /** A failure inside apply, with the bindings it belongs to. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, String> errors;

        Refusal(String message, Map<String, String> errors) {
            super(message);
            this.errors = Map.copyOf(errors);
        }
    }

    /** Files this apply created, which a failure or rollback deletes. */
    private static final class Created {
        private final List<Path> paths = new ArrayList<>();

        void add(Path p) {
            paths.add(p);
        }

        List<String> delete() {
            List<String> problems = new ArrayList<>();
            for (Path p : paths) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    problems.add("cannot delete " + p + ": " + e.getMessage());
                }
            }
            return problems;
        }
    }

    /** What the applied configuration uses, so commit can delete everything else. */
    private record Keep(List<Path> certFiles, Optional<Path> mapSource) {
    }

    /** How to put main.cf's previous values back and prove the old certificates are served again. */
    private final class Restore {
        private final Map<String, String> before;
        private final Map<String, String> sets;
        private final List<String> unsets;
        private final Created created;
        private final List<Endpoint> endpoints;
        private final List<ServedCheck.Expectation> oldExpectations;

        Restore(Map<String, String> before, Map<String, String> sets, List<String> unsets, Created created,
                List<Endpoint> endpoints, List<ServedCheck.Expectation> oldExpectations) {
            this.before = before;
            this.sets = sets;
            this.unsets = unsets;
            this.created = created;
            this.endpoints = endpoints;
            this.oldExpectations = oldExpectations;
        }

        /** Restores and returns the exception for the failure. */
        TargetException after(Refusal r) throws InterruptedException {
            LOG.warn("postfix target: {}; restoring the previous configuration", r.getMessage());
            List<String> problems = run();
            if (problems.isEmpty()) {
                return new TargetException(NAME, r.getMessage() + "; the previous configuration was restored and is"
                        + " served", r.errors, true, null);
            }
            return new TargetException(NAME, r.getMessage() + "; restoring failed too: " + String.join("; ", problems),
                    r.errors, false, null);
        }

        /** Puts the old values back, reloads, proves the old state; returns what went wrong. */
        List<String> run() throws InterruptedException {
            List<String> problems = new ArrayList<>();
            Map<String, String> restoreSets = new LinkedHashMap<>();
            List<String> restoreUnsets = new ArrayList<>();
            List<String> touched = new ArrayList<>(sets.keySet());
            touched.addAll(unsets);
            for (String p : touched) {
                if (before.containsKey(p)) {
                    restoreSets.put(p, before.get(p));
                } else {
                    restoreUnsets.add(p);
                }
            }
            try {
                tools.set(restoreSets);
                tools.unset(restoreUnsets);
                tools.reload();
                for (ServedCheck.Miss m : check.check(endpoints, oldExpectations)) {
                    problems.add("old state not served: " + m.describe());
                }
            } catch (ToolException e) {
                problems.add(e.getMessage());
            }
            if (problems.isEmpty()) {
                problems.addAll(created.delete());
                clearPending(settings.managedDir().resolve(PENDING));
            }
            return problems;
        }
    }

    /** The applied change; rollback restores main.cf until commit deletes the old files. */
    private final class PostfixChange implements Change {
        private final ApplyReport report;
        private final Keep keep;
        private Restore restore;

        PostfixChange(ApplyReport report, Keep keep, Restore restore) {
            this.report = report;
            this.keep = keep;
            this.restore = restore;
        }

        @Override
        public ApplyReport report() {
            return report;
        }

        @Override
        public void rollback() throws TargetException {
            if (restore == null) {
                return;
            }
            try {
                List<String> problems = restore.run();
                if (!problems.isEmpty()) {
                    throw new TargetException(NAME, "cannot restore the previous configuration: "
                            + String.join("; ", problems), Map.of(), false, null);
                }
                restore = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TargetException(NAME, "interrupted while restoring", Map.of(), false, e);
            }
        }

        @Override
        public void commit() {
            restore = null;
            prune(keep);
            Steps.reached(NAME + ".pruned");
        }
    }

    /** Deletes every certificate file and SNI map in the managed directory the applied state does not use. */
    private void prune(Keep keep) {
        try {
            List<Path> deleted = new ArrayList<>(files.prune(new HashSet<>(keep.certFiles())));
            if (Files.isDirectory(settings.managedDir())) {
                try (DirectoryStream<Path> all = Files.newDirectoryStream(settings.managedDir(), SniMap.PREFIX + "*")) {
                    for (Path p : all) {
                        String n = p.getFileName().toString();
                        boolean current = keep.mapSource().map(s -> n.equals(s.getFileName().toString())
                                || n.startsWith(s.getFileName() + ".")).orElse(false);
                        if (!current && Files.deleteIfExists(p)) {
                            deleted.add(p);
                        }
                    }
                }
                AtomicFiles.syncDirectory(settings.managedDir());
            }
            if (!deleted.isEmpty()) {
                LOG.info("postfix target: deleted {} old file(s) from {}", deleted.size(), settings.managedDir());
            }
        } catch (IOException e) {
            LOG.warn("postfix target: cannot delete old files in {}: {}", settings.managedDir(), e.getMessage());
        }
    }
}
