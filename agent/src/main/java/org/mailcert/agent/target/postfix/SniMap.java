package org.mailcert.agent.target.postfix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.mail.CertFiles;
import org.mailcert.agent.target.mail.SniName;
import org.mailcert.common.pki.Fingerprints;

/**
 * The managed {@code tls_server_sni_maps} source file: one line per SNI name, {@code NAME KEYFILE
 * FULLCHAINFILE} (key first, as {@code postmap -F} wants), a wildcard keyed {@code .domain} (Postfix
 * matches it at any depth; {@code *.domain} would never match). The file is named {@code
 * sni-<first 16 hex of its SHA-256>} so a new map never overwrites the one Postfix is reading, and
 * the same desired set always renders the same file.
 */
final class SniMap {
    static final String PREFIX = "sni-";
    static final String HEADER = "# Managed by mailcert-agent; do not edit. Built with postmap -F: NAME KEYFILE FULLCHAINFILE\n";
    /** The name a wildcard entry is probed with. */
    static final String PROBE_LABEL = "mailcert-probe";
    private static final Pattern MANAGED_NAME = Pattern.compile(Pattern.quote(PREFIX) + "[0-9a-f]{16}");

    /**
     * One line of the map.
     *
     * @param key the lookup key ({@code mail.example.com} or {@code .example.net})
     */
    record Entry(String key, Path keyFile, Path chainFile) {
        /** {@code key keyfile chainfile}. */
        String line() {
            return key + " " + keyFile + " " + chainFile;
        }

        /** The name to send as SNI to reach this entry. */
        String probeName() {
            return key.startsWith(".") ? PROBE_LABEL + key : key;
        }
    }

    private SniMap() {
    }

    /** The lookup key of an SNI name. */
    static String key(SniName name) {
        return name.wildcard() ? "." + name.name() : name.name();
    }

    /** The entries for the names, in their order, with each binding's files. */
    static Map<String, Entry> entries(List<SniName> names, Function<Binding, CertFiles.Installed> files) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (SniName n : names) {
            CertFiles.Installed f = files.apply(n.binding());
            entries.putIfAbsent(key(n), new Entry(key(n), f.key(), f.fullChain()));
        }
        return entries;
    }

    /** The map file's text. */
    static String render(Map<String, Entry> entries) {
        return HEADER + lines(entries);
    }

    /** The entries' lines ({@code KEY KEYFILE CHAINFILE}), without the header: {@code postmap -i}'s input. */
    static String lines(Map<String, Entry> entries) {
        StringBuilder text = new StringBuilder();
        for (Entry e : entries.values()) {
            text.append(e.line()).append('\n');
        }
        return text.toString();
    }

    /** Where the map with this text lives in {@code dir}. */
    static Path pathFor(Path dir, String text) {
        return dir.resolve(PREFIX + Fingerprints.sha256Hex(text.getBytes(StandardCharsets.UTF_8)).substring(0, 16));
    }

    /** The source file of a {@code type:path} value if it names a map this target made in {@code dir}. */
    static Optional<Path> managedSource(String typedValue, Path dir) {
        if (typedValue == null) {
            return Optional.empty();
        }
        int colon = typedValue.indexOf(':');
        if (colon <= 0 || !typedValue.substring(0, colon).matches("[a-z0-9_]+")) {
            return Optional.empty();
        }
        Path p = Path.of(typedValue.substring(colon + 1));
        boolean ours = p.isAbsolute() && dir.equals(p.getParent())
                && MANAGED_NAME.matcher(p.getFileName().toString()).matches();
        return ours ? Optional.of(p) : Optional.empty();
    }

    /** The entries of a map file's text (lines that do not parse are skipped). */
    static Map<String, Entry> parse(String text) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && !f[0].startsWith("#")) {
                entries.putIfAbsent(f[0], new Entry(f[0], Path.of(f[1]), Path.of(f[2])));
            }
        }
        return entries;
    }

    /** The entry Postfix picks for an SNI name: the exact key, else the nearest {@code .parent} key. */
    static Optional<Entry> lookup(Map<String, Entry> entries, String sni) {
        Entry exact = entries.get(sni);
        if (exact != null) {
            return Optional.of(exact);
        }
        String rest = sni;
        int dot;
        while ((dot = rest.indexOf('.')) >= 0) {
            rest = rest.substring(dot + 1);
            Entry parent = entries.get("." + rest);
            if (parent != null) {
                return Optional.of(parent);
            }
        }
        return Optional.empty();
    }

    /** The keys whose entry differs between the two maps: added, changed or removed. */
    static Set<String> changedKeys(Map<String, SniMap.Entry> oldEntries, Map<String, SniMap.Entry> newEntries) {
        Set<String> changed = new TreeSet<>();
        newEntries.forEach((k, e) -> {
            if (!e.equals(oldEntries.get(k))) {
                changed.add(k);
            }
        });
        oldEntries.keySet().stream().filter(k -> !newEntries.containsKey(k)).forEach(changed::add);
        return changed;
    }
}
