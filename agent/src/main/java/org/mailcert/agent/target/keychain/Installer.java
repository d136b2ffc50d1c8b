package org.mailcert.agent.target.keychain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.target.ApplyReport;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Outcome;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.agent.target.mail.Steps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a plan of key-and-chain files as one transaction: write each file atomically with its
 * ownership (step {@code <target>.files-written}), read every written file back and check it
 * ({@code <target>.verified}), remove the per-name files no longer wanted, write the manifest, and
 * when anything changed and endpoints are known prove by handshake that each expectation is served
 * ({@code <target>.probed}). On any failure every file is restored as it was. For servers that read
 * their certificate file on each connection, so no reload is needed. Not thread-safe.
 */
public final class Installer {
    private static final Logger LOG = LoggerFactory.getLogger(Installer.class);

    /**
     * One file to write with a binding's key and chain.
     *
     * @param file where
     * @param binding whose material
     * @param ownership owner, group and mode the file must have
     * @param directoryOwnership for parent directories that must be created
     */
    public record FileWrite(Path file, Binding binding, Ownership ownership, Ownership directoryOwnership) {
        /** Refuses nulls. */
        public FileWrite {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(binding, "binding");
            Objects.requireNonNull(ownership, "ownership");
            Objects.requireNonNull(directoryOwnership, "directoryOwnership");
        }
    }

    /**
     * Everything one apply changes.
     *
     * @param writes the files to write
     * @param removals served name to the files of that name to delete (names no binding wants any more)
     * @param pruneDirectories directories to delete once empty after the removals
     * @param manifest the manifest to rewrite, with {@code manifestNames}; null to leave it alone
     * @param manifestNames the per-name files' names the target manages after this apply
     * @param manifestOwnership the manifest file's ownership
     * @param endpoints where to probe; empty for none
     * @param expectations what must be served there
     */
    public record Plan(List<FileWrite> writes, Map<String, List<Path>> removals, List<Path> pruneDirectories,
            Manifest manifest, Set<String> manifestNames, Ownership manifestOwnership, List<Endpoint> endpoints,
            List<ServedCheck.Expectation> expectations) {
        /** Copies the collections. */
        public Plan {
            writes = List.copyOf(writes);
            removals = Map.copyOf(removals);
            pruneDirectories = List.copyOf(pruneDirectories);
            manifestNames = Set.copyOf(manifestNames);
            endpoints = List.copyOf(endpoints);
            expectations = List.copyOf(expectations);
        }
    }

    private final String target;
    private final ServedCheck check;

    /**
     * An installer for one target.
     *
     * @param target the target's name, for messages and step names
     * @param check proves what is served
     */
    public Installer(String target, ServedCheck check) {
        this.target = Objects.requireNonNull(target, "target");
        this.check = Objects.requireNonNull(check, "check");
    }

    /**
     * Carries out the plan.
     *
     * @param reported the bindings the report lists (those this target serves)
     * @return the change, revocable until committed
     * @throws TargetException after restoring every file, with per-binding errors where they belong
     */
    public Target.Change install(Plan plan, List<Binding> reported) throws TargetException {
        FileJournal journal = new FileJournal();
        Set<String> installed = new LinkedHashSet<>();
        List<Path> written = new ArrayList<>();
        for (FileWrite w : plan.writes()) {
            try {
                if (journal.write(w.file(), KeyChainPem.render(w.binding()), w.ownership(), w.directoryOwnership())) {
                    installed.add(w.binding().id());
                    written.add(w.file());
                }
            } catch (IOException e) {
                throw restoreAfter(journal, "cannot write " + w.file() + ": " + e.getMessage(),
                        Map.of(w.binding().id(), "cannot write " + w.file() + ": " + e.getMessage()), e);
            }
        }
        Steps.reached(target + ".files-written");
        for (FileWrite w : plan.writes()) {
            if (!written.contains(w.file())) {
                continue;
            }
            try {
                KeyChainPem.verify(w.file(), w.binding().leafSha256());
            } catch (IOException e) {
                throw restoreAfter(journal, "written file does not check out: " + e.getMessage(),
                        Map.of(w.binding().id(), e.getMessage()), e);
            }
        }
        Steps.reached(target + ".verified");
        List<String> removed = new ArrayList<>();
        try {
            for (Map.Entry<String, List<Path>> r : new TreeMap<>(plan.removals()).entrySet()) {
                boolean any = false;
                for (Path f : r.getValue()) {
                    any |= journal.delete(f);
                }
                if (any) {
                    removed.add(r.getKey());
                }
            }
            for (Path d : plan.pruneDirectories()) {
                if (!journal.deleteDirectoryIfEmpty(d)) {
                    LOG.warn("{} target: kept {}: it holds files mailcert did not write", target, d);
                }
            }
            if (plan.manifest() != null) {
                journal.write(plan.manifest().file(), plan.manifest().render(plan.manifestNames()),
                        plan.manifestOwnership(), plan.manifestOwnership());
            }
        } catch (IOException e) {
            throw restoreAfter(journal, "cannot remove old per-name files: " + e.getMessage(), Map.of(), e);
        }
        boolean changed = !installed.isEmpty() || !removed.isEmpty();
        if (changed && !plan.endpoints().isEmpty()) {
            probe(journal, plan);
        }
        Steps.reached(target + ".probed");
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (Binding b : reported) {
            outcomes.put(b.id(), installed.contains(b.id()) ? Outcome.INSTALLED : Outcome.UNCHANGED);
        }
        if (changed) {
            LOG.info("{} target: wrote {}{}", target, written.isEmpty() ? "nothing" : written,
                    removed.isEmpty() ? "" : "; removed the files of " + String.join(" ", removed));
        }
        return new KeyChainChange(journal, new ApplyReport(target, outcomes, removed));
    }

    private void probe(FileJournal journal, Plan plan) throws TargetException {
        List<ServedCheck.Miss> misses;
        try {
            misses = check.check(plan.endpoints(), plan.expectations());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw restoreAfter(journal, "interrupted while probing", Map.of(), e);
        }
        if (misses.isEmpty()) {
            return;
        }
        Map<String, String> errors = new LinkedHashMap<>();
        for (ServedCheck.Miss m : misses) {
            errors.merge(m.expected().bindingId(), m.describe(), (a, b) -> a + "; " + b);
        }
        throw restoreAfter(journal, misses.size() + " probe(s) did not show the new certificate: "
                + misses.get(0).describe() + "; the previous files were restored", errors, null);
    }

    private TargetException restoreAfter(FileJournal journal, String message, Map<String, String> errors,
            Throwable cause) {
        List<String> problems = journal.restore();
        LOG.warn("{} target: {}", target, message);
        if (problems.isEmpty()) {
            return new TargetException(target, message, errors, true, cause);
        }
        LOG.error("{} target: restoring failed: {}", target, String.join("; ", problems));
        return new TargetException(target, message + "; restoring failed too: " + String.join("; ", problems),
                errors, false, cause);
    }

    /** Applied file changes that can be undone until committed. */
    private final class KeyChainChange implements Target.Change {
        private final FileJournal journal;
        private final ApplyReport report;

        KeyChainChange(FileJournal journal, ApplyReport report) {
            this.journal = journal;
            this.report = report;
        }

        @Override
        public ApplyReport report() {
            return report;
        }

        @Override
        public void rollback() throws TargetException {
            List<String> problems = journal.restore();
            if (!problems.isEmpty()) {
                throw new TargetException(target, "cannot restore the previous files: " + String.join("; ", problems),
                        Map.of(), false, null);
            }
            LOG.info("{} target: rolled back to the previous files", target);
        }

        @Override
        public void commit() {
            journal.forget();
        }
    }
}
