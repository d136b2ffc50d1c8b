package org.mailcert.agent.target;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All targets configured on this host, applied as one transaction: when one fails, those that
 * applied are rolled back (last first) and the failure is rethrown. The targets serve different
 * software and share nothing, so they apply at the same time, each on its own thread: a change
 * is served by Postfix and Dovecot after the slower of the two, not after both in turn. Not
 * thread-safe (one transaction at a time).
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
     * @throws TargetException the first failure (in target order), after every target that applied was rolled back;
     *     {@link TargetException#restored()} is false if a rollback failed as well
     */
    public Transaction apply(List<Binding> desired) throws TargetException {
        List<Outcome> outcomes = applyAll(desired);
        List<Target.Change> applied = new ArrayList<>();
        List<TargetException> failures = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.change() != null) {
                applied.add(o.change());
            } else {
                failures.add(o.failure());
            }
        }
        if (failures.isEmpty()) {
            return new Transaction(applied);
        }
        TargetException first = failures.get(0);
        boolean othersRestored = rollback(applied, first.target());
        if (failures.size() == 1 && othersRestored) {
            throw first;
        }
        StringBuilder message = new StringBuilder(first.detail());
        java.util.Map<String, String> errors = new java.util.LinkedHashMap<>(first.bindingErrors());
        boolean restored = othersRestored;
        for (TargetException f : failures) {
            restored &= f.restored();
            if (f != first) {
                message.append("; ").append(f.getMessage());
                f.bindingErrors().forEach((id, m) -> errors.merge(id, f.target() + ": " + m, (a, b) -> a + "; " + b));
            }
        }
        if (!othersRestored) {
            message.append(" (and another target could not be restored; see the log)");
        }
        throw new TargetException(first.target(), message.toString(), errors, restored, first);
    }

    /** What one target's apply ended with: a change, or a failure. */
    private record Outcome(Target.Change change, TargetException failure) {
    }

    /** Applies every target, at the same time when there are several; outcomes in target order. */
    private List<Outcome> applyAll(List<Binding> desired) {
        if (targets.size() == 1) {
            return List.of(applyOne(targets.get(0), desired));
        }
        ExecutorService pool = Executors.newFixedThreadPool(targets.size(), r -> {
            Thread t = new Thread(r, "mailcert-target");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Target target : targets) {
                futures.add(pool.submit(() -> applyOne(target, desired)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                outcomes.add(await(futures.get(i), targets.get(i)));
            }
            return outcomes;
        } finally {
            pool.shutdown();
        }
    }

    private static Outcome applyOne(Target target, List<Binding> desired) {
        try {
            return new Outcome(target.apply(desired), null);
        } catch (TargetException e) {
            return new Outcome(null, e);
        } catch (RuntimeException e) {
            LOG.error("target {} failed unexpectedly", target.name(), e);
            return new Outcome(null, new TargetException(target.name(), "internal error: " + e, java.util.Map.of(),
                    false, e));
        }
    }

    /** Waits for a target's apply to end: a target is never abandoned half-way. */
    private static Outcome await(Future<Outcome> future, Target target) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return new Outcome(null, new TargetException(target.name(), "internal error: " + e.getCause(),
                            java.util.Map.of(), false, e.getCause()));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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
