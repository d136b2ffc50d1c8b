package org.mailcert.agent.target.keychain;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file listing the served names whose per-name files a target created, one a line, so that
 * only those are ever removed. Lines that are not valid host names are ignored (and logged).
 */
public final class Manifest {
    private static final Logger LOG = LoggerFactory.getLogger(Manifest.class);

    private final Path file;
    private final String header;

    /**
     * A manifest in a file.
     *
     * @param file where the manifest lives
     * @param header one comment line saying what the names are
     */
    public Manifest(Path file, String header) {
        this.file = file;
        this.header = header;
    }

    /** The manifest's path. */
    public Path file() {
        return file;
    }

    /** The valid host names listed; empty when there is no manifest. */
    public Set<String> read() throws IOException {
        Set<String> names = new TreeSet<>();
        if (!Files.isRegularFile(file)) {
            return names;
        }
        for (String line : Files.readAllLines(file, UTF_8)) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            try {
                names.add(DnsNames.hostname(entry));
            } catch (InvalidNameException e) {
                LOG.warn("ignoring manifest entry in {}: {}", file, e.getMessage());
            }
        }
        return names;
    }

    /** The manifest's bytes for these names (sorted). */
    public byte[] render(Collection<String> names) {
        StringBuilder text = new StringBuilder("# ").append(header).append('\n');
        for (String n : new TreeSet<>(names)) {
            text.append(n).append('\n');
        }
        return text.toString().getBytes(UTF_8);
    }
}
