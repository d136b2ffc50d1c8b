package org.mailcert.agent.target.windows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.TargetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One apply's imports into the machine store for one Windows target: the thumbprints the target had
 * imported before, those this apply imports (each listed before it is imported, so a crash still leaves it
 * known), removing this apply's imports on rollback, and at commit removing earlier imports that the
 * target no longer uses and no other target lists. Not thread-safe.
 */
public final class StoreImports {
    private static final Logger LOG = LoggerFactory.getLogger(StoreImports.class);

    private final CertStore store;
    private final ImportedCertificates list;
    private final String target;
    private final Set<String> before;
    private final List<String> importedNow = new ArrayList<>();

    /**
     * @param store the machine store
     * @param list the target's list of imported thumbprints
     * @param target the target's name, for exceptions and logs
     * @param before the thumbprints the target listed before this apply
     */
    public StoreImports(CertStore store, ImportedCertificates list, String target, Set<String> before) {
        this.store = Objects.requireNonNull(store, "store");
        this.list = Objects.requireNonNull(list, "list");
        this.target = Objects.requireNonNull(target, "target");
        this.before = Set.copyOf(before);
    }

    /** Starts an apply from the thumbprints the target listed. */
    public static StoreImports begin(CertStore store, ImportedCertificates list, String target) throws TargetException {
        try {
            return new StoreImports(store, list, target, list.read());
        } catch (IOException e) {
            throw new TargetException(target, "cannot read the list of imported certificates: " + e.getMessage());
        }
    }

    /** The thumbprints the target listed before this apply. */
    public Set<String> before() {
        return before;
    }

    /** Imports the binding's certificate unless the store has it; true if it was imported. */
    public boolean importIfMissing(Binding binding, String friendlyName) throws TargetException, InterruptedException {
        String thumbprint = CertStore.thumbprint(binding.leaf());
        if (store.contains(thumbprint)) {
            return false;
        }
        importedNow.add(thumbprint);
        write(union());
        store.importPfx(binding, friendlyName);
        return true;
    }

    /**
     * Removes the certificates this apply imported (newest first) and lists again what was listed before (the
     * list is left alone when the apply imported nothing: an apply that never read it must not empty it).
     *
     * @return false if interrupted (a failed removal is only logged: the certificate is unused)
     */
    public boolean undo() {
        for (int i = importedNow.size() - 1; i >= 0; i--) {
            String t = importedNow.get(i);
            try {
                store.remove(t);
            } catch (TargetException e) {
                LOG.warn("{}: cannot remove certificate {} after a rollback: {}", target, t, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (importedNow.isEmpty()) {
            return true;
        }
        try {
            list.write(before);
        } catch (IOException e) {
            LOG.warn("{}: cannot rewrite the list of imported certificates: {}", target, e.getMessage());
        }
        return true;
    }

    /**
     * Removes the certificates the target imported earlier that are not in {@code used} and that no other
     * target lists, then lists only the used ones the target imported. Failures are logged: an old
     * certificate then stays in the store until the next commit.
     */
    public void commit(Set<String> used) {
        if (used.isEmpty() && importedNow.isEmpty() && before.isEmpty()) {
            return;
        }
        try {
            Set<String> others = list.others();
            for (String old : before) {
                if (!used.contains(old) && !others.contains(old)) {
                    store.remove(old);
                }
            }
            Set<String> keep = new TreeSet<>(used);
            keep.retainAll(union());
            list.write(keep);
        } catch (IOException | TargetException e) {
            LOG.warn("{}: old certificates stay in the store for now: {}", target, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Set<String> union() {
        Set<String> all = new TreeSet<>(before);
        all.addAll(importedNow);
        return all;
    }

    private void write(Set<String> thumbprints) throws TargetException {
        try {
            list.write(thumbprints);
        } catch (IOException e) {
            throw new TargetException(target, "cannot record the imported certificate: " + e.getMessage());
        }
    }
}
