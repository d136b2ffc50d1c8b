package org.mailcert.agent.target.windows;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;

/**
 * The thumbprints each Windows target imported into the store and still uses, one file per target
 * ({@code <dir>/<target>.thumbprints}), so an old certificate is removed only if the agent imported
 * it and no target lists it any more. Both targets share the store, so each reads the other's file.
 */
public final class ImportedCertificates {
    private static final String SUFFIX = ".thumbprints";

    private final Path dir;
    private final String target;

    /**
     * @param dir the agent's Windows directory (under its data dir)
     * @param target the target whose file this is
     */
    public ImportedCertificates(Path dir, String target) {
        this.dir = dir;
        this.target = target;
    }

    /** The thumbprints this target listed. */
    public Set<String> read() throws IOException {
        return read(dir.resolve(target + SUFFIX));
    }

    /** The thumbprints the other targets list. */
    public Set<String> others() throws IOException {
        Set<String> all = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                if (!f.getFileName().toString().equals(target + SUFFIX)) {
                    all.addAll(read(f));
                }
            }
        }
        return all;
    }

    /** Replaces this target's list (temporary file and rename). */
    public void write(Set<String> thumbprints) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target + SUFFIX + ".tmp");
        Files.writeString(tmp, String.join("\n", new TreeSet<>(thumbprints)) + "\n", US_ASCII);
        Files.move(tmp, dir.resolve(target + SUFFIX), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static Set<String> read(Path file) throws IOException {
        Set<String> set = new TreeSet<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, US_ASCII)) {
                if (line.strip().matches("[0-9A-F]{40}")) {
                    set.add(line.strip());
                }
            }
        }
        return set;
    }
}
