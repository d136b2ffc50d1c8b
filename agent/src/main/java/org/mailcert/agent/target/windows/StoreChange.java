package org.mailcert.agent.target.windows;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.mailcert.agent.target.ApplyReport;
import org.mailcert.agent.target.Target;
import org.mailcert.agent.target.TargetException;

/**
 * A Windows target's applied change: rollback runs the target's undo; commit removes the certificates the
 * target imported earlier and no longer uses ({@link StoreImports#commit}).
 */
public final class StoreChange implements Target.Change {
    private final String target;
    private final ApplyReport report;
    private final BooleanSupplier undo;
    private final StoreImports imports;
    private final Set<String> used;

    /**
     * @param target the target's name, for the exception
     * @param report what the apply did
     * @param undo restores the previous state, true if it fully did
     * @param imports the apply's imports
     * @param used the thumbprints the target still uses (or keeps) after this apply
     */
    public StoreChange(String target, ApplyReport report, BooleanSupplier undo, StoreImports imports, Set<String> used) {
        this.target = Objects.requireNonNull(target, "target");
        this.report = Objects.requireNonNull(report, "report");
        this.undo = Objects.requireNonNull(undo, "undo");
        this.imports = Objects.requireNonNull(imports, "imports");
        this.used = Set.copyOf(used);
    }

    @Override
    public ApplyReport report() {
        return report;
    }

    @Override
    public void rollback() throws TargetException {
        if (!undo.getAsBoolean()) {
            throw new TargetException(target, "could not restore the previous certificate settings", Map.of(), false,
                    null);
        }
    }

    @Override
    public void commit() {
        imports.commit(used);
    }
}
