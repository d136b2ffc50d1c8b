package org.mailcert.agent.target;

import java.util.List;

/**
 * One piece of software that serves certificates on this host. Implementations are called from one
 * thread at a time (the sync loop) and need not be thread-safe.
 */
public interface Target {

    /** The target's name as given to {@code --target} ({@code files}, {@code postfix}, ...). */
    String name();

    /**
     * Makes the target serve exactly {@code desired} (bindings not listed are removed, as far as this
     * target manages them): write, validate, reload and verify. Transactional: on any failure the
     * previous state is restored (files, config, reload) before the exception is thrown.
     *
     * @return the applied change, which stays revocable until {@link Change#commit()}
     * @throws TargetException with per-binding errors where the failure belongs to bindings
     */
    Change apply(List<Binding> desired) throws TargetException;

    /** A change a target has applied, which can still be undone until it is committed. */
    interface Change {
        /** What the change did. */
        ApplyReport report();

        /**
         * Restores the state from before {@link Target#apply} (used when another target of the same
         * transaction failed).
         *
         * @throws TargetException if the old state could not be fully restored
         */
        void rollback() throws TargetException;

        /** Forgets what would be needed to roll back. */
        void commit();
    }
}
