package org.mailcert.agent.target.postfix;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.mail.ProbeSample;
import org.mailcert.agent.target.mail.SniName;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the managed {@code tls_server_sni_maps} map: a new content-named source file and
 * database beside the applied one, never touching the applied one, which Postfix reads until
 * main.cf is switched. A large map with a small change is made by updating a copy of the applied
 * database; anything else is built whole with {@code postmap -F}. Not thread-safe.
 */
final class SniMapBuilder {
    /** From this many SNI map entries on, a small change updates a copy of the applied map. */
    static final int INCREMENTAL_FROM = 500;
    /** How many changed keys are read back from a new map at most. */
    static final int READ_BACK = 8;
    /** The database file {@code postmap} makes per map type that {@code postmap -i} can update. */
    private static final Map<String, String> DATABASE_SUFFIX = Map.of("hash", ".db", "btree", ".db", "lmdb", ".lmdb");
    private static final Logger LOG = LoggerFactory.getLogger(SniMapBuilder.class);

    /** A map: its {@code type:path} and whether it was made now. */
    record Built(String typedMap, boolean built) {
    }

    /** The map could not be made or does not hold what it should; errors per binding. */
    static final class MapFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, String> errors;

        MapFailure(String message, Map<String, String> errors) {
            super(message);
            this.errors = Map.copyOf(errors);
        }

        Map<String, String> errors() {
            return errors;
        }
    }

    private final PostfixTools tools;
    private final Path managedDir;
    private int incrementalFrom = INCREMENTAL_FROM;

    SniMapBuilder(PostfixTools tools, Path managedDir) {
        this.tools = tools;
        this.managedDir = managedDir;
    }

    /** Test-only: from how many entries on a small change updates a copy of the applied map. */
    void incrementalFrom(int entries) {
        this.incrementalFrom = entries;
    }


    /**
     * Makes the map for {@code entries}: nothing if a map with exactly this content exists, else a
     * new content-named map (a copy of the applied one updated, or built whole), 0600, checked
     * with {@code postmap -q -} on the changed keys (a {@link ProbeSample} of {@link #READ_BACK} when more).
     *
     * @param oldMaps main.cf's current {@code tls_server_sni_maps}
     * @param created told of every file this call creates, for a rollback to delete
     * @throws MapFailure with per-binding errors; files already created have been reported
     */
    Built build(Map<String, SniMap.Entry> entries, Map<String, SniMap.Entry> oldEntries, String oldMaps,
            List<SniName> names, Consumer<Path> created) throws MapFailure, InterruptedException {
        String text = SniMap.render(entries);
        Path source = SniMap.pathFor(managedDir, text);
        Map<String, String> bindingOf = new LinkedHashMap<>();
        Map<String, Binding> bindingByKey = new LinkedHashMap<>();
        for (SniName n : names) {
            bindingOf.putIfAbsent(SniMap.key(n), n.binding().id());
            bindingByKey.putIfAbsent(SniMap.key(n), n.binding());
        }
        Map<String, String> mailErrors = new LinkedHashMap<>();
        bindingOf.values().forEach(id -> mailErrors.put(id, "the SNI map could not be built"));
        try {
            String type = tools.value("default_database_type");
            String typed = type + ":" + source;
            boolean same = Files.isRegularFile(source) && Files.readString(source, UTF_8).equals(text)
                    && !databases(source).isEmpty();
            if (same) {
                return new Built(typed, false);
            }
            Set<Path> dbBefore = new HashSet<>(databases(source));
            if (!Files.exists(source)) {
                created.accept(source);
            }
            AtomicFiles.privateDirectory(managedDir);
            Optional<Path> base = incrementalBase(entries, oldEntries, oldMaps, type, source);
            AtomicFiles.write(source, text.getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
            try {
                if (base.isPresent()) {
                    updateCopy(base.get(), source, typed, entries, oldEntries, created);
                } else {
                    tools.buildFileMap(typed);
                }
            } finally {
                for (Path db : databases(source)) {
                    if (!dbBefore.contains(db)) {
                        created.accept(db);
                    }
                }
            }
            for (Path db : databases(source)) {
                if (AtomicFiles.posix()) {
                    Files.setPosixFilePermissions(db, AtomicFiles.OWNER_ONLY);
                }
            }
            Set<String> verify = new TreeSet<>(SniMap.changedKeys(oldEntries, entries));
            verify.retainAll(entries.keySet());
            if (verify.isEmpty()) {
                verify = entries.keySet();
            }
            // A sample of the changed keys is read back, one per new certificate first: postmap -F
            // has read every file (a missing one fails the build), each file was verified when
            // installFiles wrote it, and the handshakes prove what Postfix serves. Each postmap run
            // costs 50-150 ms, so the sample is kept to a run or two.
            Map<String, SniMap.Entry> entriesByKey = entries;
            List<String> sample = ProbeSample.of(List.copyOf(verify), k -> entriesByKey.get(k).chainFile().toString(),
                    READ_BACK);
            for (List<String> batch : batches(sample, entries)) {
                Map<String, String> stored = tools.queryFileMap(batch, typed);
                for (String key : batch) {
                    String problem = stored.containsKey(key) ? compare(stored.get(key), bindingByKey.get(key))
                            : "is missing";
                    if (problem != null) {
                        throw new MapFailure("postmap -q " + key + ": " + problem, Map.of(bindingOf.get(key),
                                "the SNI map entry " + key + " " + problem));
                    }
                }
            }
            return new Built(typed, true);
        } catch (ToolException e) {
            throw new MapFailure(e.getMessage(), mailErrors);
        } catch (IOException e) {
            throw new MapFailure("cannot write the SNI map " + source + ": " + e.getMessage(), mailErrors);
        }
    }

    /**
     * Splits keys into runs of postmap whose answers (base64, a third larger than the files) stay
     * well under the runner's output limit.
     */
    static List<List<String>> batches(List<String> keys, Map<String, SniMap.Entry> entries) throws IOException {
        long budget = CommandRunner.OUTPUT_LIMIT / 2;
        List<List<String>> batches = new ArrayList<>();
        List<String> open = new ArrayList<>();
        long size = 0;
        for (String key : keys) {
            SniMap.Entry e = entries.get(key);
            long answer = key.length() + 2 + (Files.size(e.keyFile()) + Files.size(e.chainFile()) + 2) * 4 / 3 + 4;
            if (!open.isEmpty() && size + answer > budget) {
                batches.add(open);
                open = new ArrayList<>();
                size = 0;
            }
            open.add(key);
            size += answer;
        }
        if (!open.isEmpty()) {
            batches.add(open);
        }
        return batches;
    }

    /**
     * The database of the applied map to start from, when updating a copy of it costs less than
     * building all of it: a large map (from {@link #incrementalFrom} entries) of a type that
     * {@code postmap -i} can update, of which at most a quarter changed. {@code postmap -F} of
     * 5,000 entries reads 10,000 files and took 1.8 s; an update of one entry in a copy, 10 ms.
     */
    private Optional<Path> incrementalBase(Map<String, SniMap.Entry> entries, Map<String, SniMap.Entry> oldEntries,
            String oldMaps, String type, Path source) throws IOException {
        Optional<Path> oldSource = SniMap.managedSource(oldMaps, managedDir);
        String suffix = DATABASE_SUFFIX.get(type);
        if (oldSource.isEmpty() || suffix == null || !oldMaps.startsWith(type + ":") || oldSource.get().equals(source)
                || entries.size() < incrementalFrom || SniMap.changedKeys(oldEntries, entries).size() > entries.size() / 4) {
            return Optional.empty();
        }
        Path oldDb = oldSource.get().resolveSibling(oldSource.get().getFileName() + suffix);
        return Files.isRegularFile(oldDb) && !Files.exists(source.resolveSibling(source.getFileName() + suffix))
                ? Optional.of(oldDb) : Optional.empty();
    }

    /**
     * Copies the applied map's database to the new map's name and applies the difference to the
     * copy with {@code postmap -F -i -r} and {@code postmap -d}. The applied map is never written:
     * until main.cf is switched Postfix keeps reading it, and a failure leaves it as it was.
     */
    private void updateCopy(Path oldDb, Path source, String typed, Map<String, SniMap.Entry> entries,
            Map<String, SniMap.Entry> oldEntries, Consumer<Path> created) throws IOException, ToolException,
            InterruptedException {
        Path db = source.resolveSibling(source.getFileName() + oldDb.getFileName().toString()
                .substring(oldDb.getFileName().toString().lastIndexOf('.')));
        created.accept(db);
        Files.copy(oldDb, db, StandardCopyOption.COPY_ATTRIBUTES);
        Map<String, SniMap.Entry> upserts = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        for (String k : SniMap.changedKeys(oldEntries, entries)) {
            if (entries.containsKey(k)) {
                upserts.put(k, entries.get(k));
            } else {
                removed.add(k);
            }
        }
        if (!removed.isEmpty()) {
            tools.deleteFromMap(typed, removed);
        }
        if (!upserts.isEmpty()) {
            tools.updateFileMap(typed, SniMap.lines(upserts));
        }
        AtomicFiles.force(List.of(db));
        LOG.info("postfix target: updated a copy of {} ({} entr(ies) set, {} removed) instead of building {} entries",
                oldDb.getFileName(), upserts.size(), removed.size(), entries.size());
    }

    /** Null if the map's stored value holds the binding's key and chain, else what differs. */
    private static String compare(String stored, Binding b) {
        try {
            List<java.security.cert.X509Certificate> chain = Pem.readCertificates(stored.getBytes(UTF_8));
            if (chain.isEmpty() || !Fingerprints.sha256Hex(chain.get(0)).equals(b.leafSha256())) {
                return "does not hold the expected certificate";
            }
            if (!chain.equals(b.chain())) {
                return "holds a different chain than was written";
            }
        } catch (BadMaterialException e) {
            return "holds no readable certificate: " + e.getMessage();
        }
        return stored.contains(b.keyPem().strip()) ? null : "does not hold the expected key";
    }

    /** The database files {@code postmap} made for a source file ({@code .db}, {@code .lmdb}, ...). */
    private static List<Path> databases(Path source) throws IOException {
        List<Path> dbs = new ArrayList<>();
        if (!Files.isDirectory(source.getParent())) {
            return dbs;
        }
        String prefix = source.getFileName() + ".";
        try (DirectoryStream<Path> all = Files.newDirectoryStream(source.getParent(), prefix + "*")) {
            all.forEach(dbs::add);
        }
        return dbs;
    }
}
