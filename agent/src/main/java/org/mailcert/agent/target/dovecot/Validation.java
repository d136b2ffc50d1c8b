package org.mailcert.agent.target.dovecot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which validation an apply runs, and the small configuration that validates only what changed.
 *
 * <p>The full validation ({@code doveconf -x -n} over the whole configuration with the new include)
 * costs a complete parse that reads every certificate file: about 9.5 s at 5,000 names, and the
 * reload then parses it all again. It is kept where it is cheap or where it matters (each a
 * {@link Reason}): below {@code largeConfigBlocks} blocks, on the first apply (no include of ours
 * yet), when the include on disk is not exactly the one last proven served (hand-edited, or left by
 * an apply that never finished), when the apply also edits the admin's files, and for Dovecot 2.4
 * (its syntax is not verified here). Otherwise only the changes are validated: a small file with
 * {@code ssl = yes}, the new include's server-wide certificate and exactly the added or changed
 * {@code local_name} blocks, rendered by {@link IncludeFile}, through {@code doveconf -c SMALL -x -n}.
 * That catches a missing or unreadable file and any syntax problem in what this target renders.
 * What it cannot see is a problem in the admin's own files since the last apply; a reload that
 * fails on it is caught after the reload by the log check and the probes, which restore.
 */
final class Validation {
    /** Why an apply validates as it does. */
    enum Reason {
        /** Fewer than {@code largeConfigBlocks} blocks: the full parse is cheap. */
        SMALL_CONFIGURATION,
        /** No include of this target's yet. */
        FIRST_APPLY,
        /** The include on disk is not the one last proven served. */
        INCLUDE_NOT_PROVEN,
        /** The apply comments out lines of the admin's files, which only the full parse sees. */
        ADMIN_FILES_EDITED,
        /** Dovecot 2.4's syntax is not verified here. */
        DOVECOT_2_4,
        /** A large configuration whose served include is this target's: only the changes are validated. */
        CHANGES_ONLY
    }

    /**
     * The decision.
     *
     * @param full whether the whole configuration is validated
     * @param reason why
     */
    record Choice(boolean full, Reason reason) {
    }

    private Validation() {
    }

    /**
     * Chooses the validation.
     *
     * @param syntax the Dovecot version's syntax
     * @param blocks the new include's {@code local_name} blocks
     * @param largeConfigBlocks the settings' threshold
     * @param old the include on disk, null if none
     * @param provenServed whether {@code old} is exactly the include last proven served
     * @param editsAdminFiles whether the apply comments out lines of the admin's files
     */
    static Choice choose(Syntax syntax, int blocks, int largeConfigBlocks, String old, boolean provenServed,
            boolean editsAdminFiles) {
        if (blocks < largeConfigBlocks) {
            return new Choice(true, Reason.SMALL_CONFIGURATION);
        }
        if (old == null || !old.startsWith(IncludeFile.HEADER)) {
            return new Choice(true, Reason.FIRST_APPLY);
        }
        if (!provenServed) {
            return new Choice(true, Reason.INCLUDE_NOT_PROVEN);
        }
        if (editsAdminFiles) {
            return new Choice(true, Reason.ADMIN_FILES_EDITED);
        }
        if (syntax != Syntax.V2_3) {
            return new Choice(true, Reason.DOVECOT_2_4);
        }
        return new Choice(false, Reason.CHANGES_ONLY);
    }

    /** The entries of {@code entries} whose slot {@code old} does not list with the same leaf, defaults excluded. */
    static List<Served> changedBlocks(List<Served> entries, String old) {
        Map<String, IncludeFile.Listed> before = IncludeFile.listed(old);
        List<Served> changed = new ArrayList<>();
        for (Served s : entries) {
            IncludeFile.Listed was = before.get(s.slot());
            if (s.pattern().isPresent() && (was == null || !was.leafSha256().equals(s.leafSha256()))) {
                changed.add(s);
            }
        }
        return changed;
    }

    /**
     * The small configuration: {@code ssl = yes}, then the include {@link IncludeFile#render} makes of
     * the new server-wide certificate (if any) and the changed blocks.
     */
    static String smallConfig(Syntax syntax, List<Served> entries, String old, boolean largeConfig) {
        List<Served> subset = new ArrayList<>();
        entries.stream().filter(s -> s.pattern().isEmpty()).forEach(subset::add);
        subset.addAll(changedBlocks(entries, old));
        return "# mailcert-agent: validates only what changed; never included by Dovecot\nssl = yes\n"
                + IncludeFile.render(syntax, subset, largeConfig);
    }


    /** The {@code local_name} blocks {@link IncludeFile#render} makes of {@code entries}. */
    static int blocks(Syntax syntax, List<Served> entries) {
        return IncludeFile.blocks(syntax, entries).size();
    }
}
