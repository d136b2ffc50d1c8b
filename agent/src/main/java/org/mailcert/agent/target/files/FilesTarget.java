package org.mailcert.agent.target.files;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mailcert.agent.drift.FileObserver;
import org.mailcert.agent.drift.Observable;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.exec.Command;
import org.mailcert.agent.exec.CommandException;
import org.mailcert.agent.exec.CommandResult;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.target.ApplyReport;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.keychain.Manifest;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each binding's certificate to {@code DIR/live/<served-name>/}: {@code fullchain.pem} (leaf
 * and intermediates), {@code privkey.pem} (mode 0600), {@code cert.pem} (leaf) and {@code chain.pem}
 * (intermediates), each replaced atomically and only when its content or mode differs. Directories
 * of names no longer wanted are removed, but only names this target wrote before (listed in {@code
 * DIR/.mailcert-manifest}). A served name becomes a path only after it passes {@link
 * DnsNames#hostname}. After a change the optional command runs with {@code MAILCERT_CHANGED} set to
 * the changed served names; if it fails, the previous files come back. Not thread-safe.
 */
public final class FilesTarget implements Target, Observable {
    /** The target's name. */
    public static final String NAME = "files";
    /** Environment variable holding the space-separated served names that changed. */
    public static final String CHANGED_VARIABLE = "MAILCERT_CHANGED";
    /** How long the command may run. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** The file listing the served names this target manages, one a line. */
    static final String MANIFEST = ".mailcert-manifest";
    static final String FULLCHAIN = "fullchain.pem";
    static final String PRIVKEY = "privkey.pem";
    static final String CERT = "cert.pem";
    static final String CHAIN = "chain.pem";
    private static final List<String> FILES = List.of(FULLCHAIN, PRIVKEY, CERT, CHAIN);
    private static final Logger LOG = LoggerFactory.getLogger(FilesTarget.class);

    private final Path dir;
    private final Path live;
    private final List<String> command;
    private final CommandRunner runner;
    private final Manifest manifest;

    /**
     * Creates the target.
     *
     * @param dir the files directory ({@code --files-dir})
     * @param command the command to run after a change, as an argument list; empty for none
     * @param runner runs the command
     */
    public FilesTarget(Path dir, List<String> command, CommandRunner runner) {
        this.dir = dir.toAbsolutePath().normalize();
        this.live = this.dir.resolve("live");
        this.command = List.copyOf(command);
        this.runner = Objects.requireNonNull(runner, "runner");
        this.manifest = new Manifest(this.dir.resolve(MANIFEST),
                "Served names whose files mailcert-agent manages under live/.");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Change apply(List<Binding> desired) throws TargetException {
        Map<String, String> nameById = new LinkedHashMap<>();
        Map<String, Binding> byName = validate(desired, nameById);
        FileJournal journal = new FileJournal();
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Set<String> changed = new TreeSet<>();
        List<String> removed = new ArrayList<>();
        try {
            for (Map.Entry<String, Binding> e : byName.entrySet()) {
                if (writeName(journal, e.getKey(), e.getValue())) {
                    changed.add(e.getKey());
                }
            }
            for (Binding b : desired) {
                outcomes.put(b.id(), changed.contains(nameById.get(b.id())) ? Outcome.INSTALLED : Outcome.UNCHANGED);
            }
            for (String name : manifest.read()) {
                if (!byName.containsKey(name) && removeName(journal, name)) {
                    removed.add(name);
                    changed.add(name);
                }
            }
            journal.write(manifest.file(), manifest.render(byName.keySet()), AtomicFiles.PUBLIC_READ);
        } catch (IOException e) {
            throw restoreAfter(journal, "cannot write the files in " + dir + ": " + e.getMessage(),
                    Map.of(), List.copyOf(changed), e);
        }
        if (!changed.isEmpty() && !command.isEmpty()) {
            String failure = runCommand(changed);
            if (failure != null) {
                Map<String, String> errors = new LinkedHashMap<>();
                for (Binding b : desired) {
                    if (changed.contains(nameById.get(b.id()))) {
                        errors.put(b.id(), failure);
                    }
                }
                throw restoreAfter(journal, failure + "; the previous files were restored", errors,
                        List.copyOf(changed), null);
            }
        }
        if (!changed.isEmpty()) {
            LOG.info("files target: changed {} in {}", String.join(" ", changed), live);
        }
        return new FilesChange(journal, new ApplyReport(NAME, outcomes, removed), List.copyOf(changed));
    }

    /**
     * The four files of each binding as found: the key must be owner-only, the others may be read
     * by anyone. Names that {@link #apply} would refuse are left out (they were never written).
     */
    @Override
    public TargetObservation observe(List<Binding> desired) {
        Map<String, List<Observed.File>> files = new LinkedHashMap<>();
        for (Binding b : desired) {
            String name;
            try {
                name = DnsNames.hostname(b.servedName());
            } catch (InvalidNameException e) {
                continue;
            }
            Path d = live.resolve(name);
            if (!d.normalize().getParent().equals(live)) {
                continue;
            }
            files.put(b.id(), List.of(
                    FileObserver.observe(d.resolve(PRIVKEY), true, b.keyPem().getBytes(US_ASCII)),
                    FileObserver.observe(d.resolve(FULLCHAIN), false, b.fullChainPem().getBytes(US_ASCII)),
                    FileObserver.observe(d.resolve(CERT), false, b.leafPem().getBytes(US_ASCII)),
                    FileObserver.observe(d.resolve(CHAIN), false, b.intermediatesPem().getBytes(US_ASCII))));
        }
        return new TargetObservation(NAME, files, List.of(), List.of(), Map.of(), true);
    }

    /**
     * Maps each valid served name to its binding (and each binding id to its name in {@code
     * nameById}); refuses the set if any name is unusable.
     */
    private Map<String, Binding> validate(List<Binding> desired, Map<String, String> nameById)
            throws TargetException {
        Map<String, Binding> byName = new TreeMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (Binding b : desired) {
            String name;
            try {
                name = DnsNames.hostname(b.servedName());
            } catch (InvalidNameException e) {
                errors.put(b.id(), "served name refused as a directory name: " + e.getMessage());
                continue;
            }
            if (!live.resolve(name).normalize().getParent().equals(live)) {
                errors.put(b.id(), "served name " + name + " does not make a directory under " + live);
                continue;
            }
            nameById.put(b.id(), name);
            Binding other = byName.putIfAbsent(name, b);
            if (other != null && !other.leafSha256().equals(b.leafSha256())) {
                String message = "bindings " + other.id() + " and " + b.id() + " both serve " + name
                        + " with different certificates";
                errors.put(other.id(), message);
                errors.put(b.id(), message);
            }
        }
        if (!errors.isEmpty()) {
            throw new TargetException(NAME, errors.size() + " binding(s) refused; nothing was written", errors);
        }
        return byName;
    }

    private boolean writeName(FileJournal journal, String name, Binding b) throws IOException {
        Path d = live.resolve(name);
        boolean changed = journal.write(d.resolve(PRIVKEY), b.keyPem().getBytes(US_ASCII), AtomicFiles.OWNER_ONLY);
        changed |= journal.write(d.resolve(FULLCHAIN), b.fullChainPem().getBytes(US_ASCII), AtomicFiles.PUBLIC_READ);
        changed |= journal.write(d.resolve(CERT), b.leafPem().getBytes(US_ASCII), AtomicFiles.PUBLIC_READ);
        changed |= journal.write(d.resolve(CHAIN), b.intermediatesPem().getBytes(US_ASCII), AtomicFiles.PUBLIC_READ);
        return changed;
    }

    /** Deletes the target's own files of a name and then its directory if nothing else is in it. */
    private boolean removeName(FileJournal journal, String name) throws IOException {
        Path d = live.resolve(name);
        boolean any = false;
        for (String f : FILES) {
            any |= journal.delete(d.resolve(f));
        }
        if (!FileJournal.deleteIfEmpty(d)) {
            LOG.warn("files target: kept {} after removing its certificate files: it holds other files", d);
        }
        return any;
    }

    /** Runs the command; returns null on success, else one line saying how it failed. */
    private String runCommand(Set<String> changed) {
        Command cmd = new Command(command, Map.of(CHANGED_VARIABLE, String.join(" ", changed)), COMMAND_TIMEOUT);
        CommandResult result;
        try {
            result = runner.run(cmd);
        } catch (CommandException e) {
            return "files command failed to start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "files command interrupted";
        }
        if (!result.stdout().isBlank() || !result.stderr().isBlank()) {
            LOG.info("files command {} output: {}{}", cmd.program(), result.stdout().strip(),
                    result.stderr().isBlank() ? "" : " / stderr: " + result.stderr().strip());
        }
        if (result.succeeded()) {
            LOG.info("files command {} succeeded for {}", cmd.program(), String.join(" ", changed));
            return null;
        }
        LOG.warn("files command {} {}", cmd.program(), result.describe());
        return "files command " + (result.timedOut() ? "timed out after " + COMMAND_TIMEOUT.toSeconds() + " s"
                : "exited " + result.exitCode()) + (result.lastLine().isEmpty() ? "" : ": " + result.lastLine());
    }

    /** Restores the journal, reruns the command for the restored names, and builds the exception. */
    private TargetException restoreAfter(FileJournal journal, String message, Map<String, String> errors,
            List<String> changed, Throwable cause) {
        List<String> problems = restore(journal, changed);
        if (problems.isEmpty()) {
            return new TargetException(NAME, message, errors, true, cause);
        }
        return new TargetException(NAME, message + "; restoring failed too: " + String.join("; ", problems),
                errors, false, cause);
    }

    private List<String> restore(FileJournal journal, List<String> changed) {
        List<String> problems = journal.restore();
        if (!changed.isEmpty() && !command.isEmpty()) {
            String failure = runCommand(new TreeSet<>(changed));
            if (failure != null) {
                LOG.error("files target: after restoring {}, {}", String.join(" ", changed), failure);
            }
        }
        return problems;
    }

    /** An applied set of file changes that can be undone until committed. */
    private final class FilesChange implements Change {
        private final FileJournal journal;
        private final ApplyReport report;
        private final List<String> changed;

        FilesChange(FileJournal journal, ApplyReport report, List<String> changed) {
            this.journal = journal;
            this.report = report;
            this.changed = changed;
        }

        @Override
        public ApplyReport report() {
            return report;
        }

        @Override
        public void rollback() throws TargetException {
            List<String> problems = restore(journal, changed);
            if (!problems.isEmpty()) {
                throw new TargetException(NAME, "cannot restore the previous files: " + String.join("; ", problems),
                        Map.of(), false, null);
            }
        }

        @Override
        public void commit() {
            journal.forget();
        }
    }
}
