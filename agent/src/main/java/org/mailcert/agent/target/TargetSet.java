package org.mailcert.agent.target;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All targets configured on this host, applied as one transaction: when one fails, those already
 * applied are rolled back (last first) and the failure is rethrown. Not thread-safe.
 */
public final class TargetSet {
    private static final Logger LOG = LoggerFactory.getLogger(TargetSet.class);

    private final List<Target> targets;

    /** Takes the targets in the order they are applied. */
    public TargetSet(List<Target> targets) {
        this.targets = List.copyOf(targets);
        for (Target t : this.targets) {
            Objects.requireNonNull(t, "target");
        }
    }

    /** The targets' names, in order. */
    public List<String> names() {
        return targets.stream().map(Target::name).toList();
    }

    /**
     * Applies the desired set to every target, all or nothing. The result stays revocable until
     * committed, so the caller can first record the new state and roll back if that fails.
     *
     * @throws TargetException the first failure, after every target applied before it was rolled back;
     *     {@link TargetException#restored()} is false if a rollback failed as well
     */
    public Transaction apply(List<Binding> desired) throws TargetException {
        List<Target.Change> applied = new ArrayList<>();
        for (Target target : targets) {
            try {
                applied.add(target.apply(desired));
            } catch (TargetException failure) {
                if (rollback(applied, target.name()) || !failure.restored()) {
                    throw failure;
                }
                throw new TargetException(failure.target(), failure.detail()
                        + " (and an earlier target could not be restored; see the log)",
                        failure.bindingErrors(), false, failure);
            }
        }
        return new Transaction(applied);
    }

    /** The targets' changes of one {@link #apply}, committed or rolled back together. */
    public static final class Transaction {
        private final List<Target.Change> changes;

        private Transaction(List<Target.Change> changes) {
            this.changes = List.copyOf(changes);
        }

        /** One report per target, in order. */
        public List<ApplyReport> reports() {
            return changes.stream().map(Target.Change::report).toList();
        }

        /** Makes the changes final. */
        public void commit() {
            changes.forEach(Target.Change::commit);
        }

        /**
         * Restores every target's previous state, last target first.
         *
         * @return whether every target was restored
         */
        public boolean rollback() {
            return TargetSet.rollback(changes, "recording the state");
        }
    }

    private static boolean rollback(List<Target.Change> applied, String failed) {
        boolean all = true;
        for (int i = applied.size() - 1; i >= 0; i--) {
            Target.Change change = applied.get(i);
            try {
                change.rollback();
            } catch (TargetException e) {
                all = false;
                LOG.error("rolling back target {} after {} failed: {}", change.report().target(), failed,
                        e.getMessage());
            }
        }
        return all;
    }
}
