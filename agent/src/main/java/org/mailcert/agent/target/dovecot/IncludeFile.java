package org.mailcert.agent.target.dovecot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the managed include and reads back what an earlier one served. The server-wide
 * certificate comes first, then the {@code local_name} blocks: one per certificate for its exact
 * names (see {@link #blocks}), then one per wildcard. Exact names come before
 * wildcards, because Dovecot 2.3 serves the first {@code local_name} block that matches (a
 * wildcard listed before {@code mail.example.net} would win for it; measured with 2.3.19). Each
 * entry is preceded by a {@code # mailcert served} comment naming its slot, leaf and binding, which
 * is how the next apply knows what is served now. Every name and path is checked against a strict
 * character set before it is written, so no value can break out of its line or block.
 */
public final class IncludeFile {
    /** The first line of every include this target writes. */
    static final String HEADER = "# Managed by mailcert-agent (dovecot target): rewritten on every change, do not edit.";
    private static final String DEFAULT_SLOT = "-default-";
    /** The most names one {@code local_name} block lists (Let's Encrypt's limit of names per certificate). */
    static final int NAMES_PER_BLOCK = 100;
    private static final Pattern NAME = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern LISTED = Pattern.compile(
            "^# mailcert served (\\S+) ([0-9a-f]{64}) (\\S+)$", Pattern.MULTILINE);

    private IncludeFile() {
    }

    /**
     * What an include lists: slot ({@code ""} for the default, else the pattern) to what is served
     * there, in the include's order.
     *
     * @param leafSha256 the leaf served
     * @param bindingId the binding it came from
     */
    public record Listed(String leafSha256, String bindingId) {
    }

    /**
     * Renders the include.
     *
     * @param syntax the Dovecot version's syntax
     * @param entries the default (at most one, pattern empty) and the SNI patterns, exact names first
     * @param largeConfig whether to raise the config process's memory limit
     * @throws IllegalArgumentException if a pattern or path has characters the syntax cannot carry
     */
    public static String render(Syntax syntax, List<Served> entries, boolean largeConfig) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        if (syntax == Syntax.V2_4) {
            out.append("# Dovecot 2.4 syntax (from Dovecot's documentation; not verified against a real 2.4).\n")
                    .append("# dovecot_config_version must be the first setting of the main dovecot.conf.\n");
        } else {
            out.append("# Dovecot 2.3 syntax.\n");
        }
        entries.stream().filter(e -> e.pattern().isEmpty()).forEach(e -> {
            out.append('\n');
            listed(out, e);
            setting(out, "", syntax.certSetting(), syntax.valuePrefix(), e.fullChain());
            setting(out, "", syntax.keySetting(), syntax.valuePrefix(), e.key());
        });
        if (largeConfig) {
            out.append("\n# Many local_name blocks: the config process needs more than the default 256M.\n");
            largeLimit(out);
        }
        for (List<Served> block : blocks(syntax, entries)) {
            out.append('\n');
            StringBuilder names = new StringBuilder();
            for (Served e : block) {
                String pattern = e.pattern().get();
                if (!NAME.matcher(pattern).matches()) {
                    throw new IllegalArgumentException("refusing to write local_name " + pattern);
                }
                listed(out, e);
                names.append(names.isEmpty() ? "" : " ").append(pattern);
            }
            Served first = block.get(0);
            out.append("local_name \"").append(names).append("\" {\n");
            setting(out, "  ", syntax.certSetting(), syntax.valuePrefix(), first.fullChain());
            setting(out, "  ", syntax.keySetting(), syntax.valuePrefix(), first.key());
            out.append("}\n");
        }
        return out.toString();
    }

    /**
     * The {@code local_name} blocks for the SNI entries, in their order: exact names that share one
     * certificate's files go into one block (Dovecot 2.3 matches each space-separated name of a
     * {@code local_name}; config-filter.c), at most {@link #NAMES_PER_BLOCK} to a block, so a
     * certificate for many domains costs Dovecot's config process one block instead of one per
     * name. Exact names never overlap, so grouping them keeps what each name is served. Each
     * wildcard keeps a block of its own after every exact one. Syntaxes that do not {@linkplain
     * Syntax#groupsLocalNames group} get one block per name.
     */
    static List<List<Served>> blocks(Syntax syntax, List<Served> entries) {
        int perBlock = syntax.groupsLocalNames() ? NAMES_PER_BLOCK : 1;
        Map<Path, List<Served>> exact = new LinkedHashMap<>();
        List<List<Served>> blocks = new ArrayList<>();
        List<List<Served>> wildcards = new ArrayList<>();
        for (Served e : entries) {
            if (e.pattern().isEmpty()) {
                continue;
            }
            if (e.pattern().get().startsWith("*.")) {
                wildcards.add(List.of(e));
                continue;
            }
            List<Served> open = exact.get(e.fullChain());
            if (open == null || open.size() == perBlock || !open.get(0).key().equals(e.key())) {
                open = new ArrayList<>();
                exact.put(e.fullChain(), open);
                blocks.add(open);
            }
            open.add(e);
        }
        blocks.addAll(wildcards);
        return blocks;
    }

    /**
     * The interim include switched in before a large one when Dovecot's config process still has a
     * smaller limit: {@code old} (the include served now, null for none) unchanged, with the limit
     * raised after it. Its reload is parsed by the old config process, which can afford the old
     * configuration, and starts the next config process with the raised limit.
     */
    public static String interim(String old) {
        StringBuilder out = new StringBuilder(old == null ? HEADER + "\n" : old);
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
        out.append("\n# Interim step: the config process's limit is raised before the large include is switched in.\n");
        largeLimit(out);
        return out.toString();
    }

    private static void largeLimit(StringBuilder out) {
        out.append("service config {\n  vsz_limit = ").append(DovecotSettings.LARGE_VSZ_LIMIT).append("\n}\n");
    }

    /** The {@code local_name} blocks of {@code text} (an include this target wrote, or null). */
    static int blockCount(String text) {
        return text == null ? 0 : (int) text.lines().filter(l -> l.startsWith("local_name ")).count();
    }

    /** What {@code text} (an include this target wrote, or null) lists, in its order. */
    public static Map<String, Listed> listed(String text) {
        Map<String, Listed> listed = new LinkedHashMap<>();
        if (text == null) {
            return listed;
        }
        Matcher m = LISTED.matcher(text);
        while (m.find()) {
            String slot = m.group(1).equals(DEFAULT_SLOT) ? "" : m.group(1);
            listed.put(slot, new Listed(m.group(2), m.group(3)));
        }
        return listed;
    }

    private static void listed(StringBuilder out, Served e) {
        if (!e.leafSha256().matches("[0-9a-f]{64}") || !e.bindingId().matches("[A-Za-z0-9._/*-]+")) {
            throw new IllegalArgumentException("refusing to write binding " + e.bindingId());
        }
        out.append("# mailcert served ").append(e.pattern().orElse(DEFAULT_SLOT)).append(' ')
                .append(e.leafSha256()).append(' ').append(e.bindingId()).append('\n');
    }

    private static void setting(StringBuilder out, String indent, String key, String prefix, Path path) {
        String p = path.toString();
        if (!DovecotSettings.SAFE_PATH.matcher(p).matches()) {
            throw new IllegalArgumentException("refusing to write path " + p);
        }
        out.append(indent).append(key).append(" = ").append(prefix).append(p).append('\n');
    }
}
