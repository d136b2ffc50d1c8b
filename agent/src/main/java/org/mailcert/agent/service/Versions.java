package org.mailcert.agent.service;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.common.files.AtomicFiles;

/**
 * Agent versions and the data dir's {@code installed-version} file, which the installer writes last after a
 * successful install and reads to refuse downgrades. Versions order numerically by dotted part ({@code
 * 0.10.0 > 0.9.1}, missing parts count as 0); a version with a qualifier sorts before the release ({@code
 * 1.0.0-SNAPSHOT < 1.0.0}), qualifiers among themselves by text; a version that is not numbered at all
 * ({@code dev}, a build from classes) sorts before every numbered one.
 */
public final class Versions {
    /** The file in the data dir. */
    public static final String FILE = "installed-version";
    /** The order described above. */
    public static final Comparator<String> ORDER = Versions::compare;
    private static final Pattern VERSION = Pattern.compile("(\\d+(?:\\.\\d+)*)(?:-(.+))?");

    private Versions() {
    }

    static int compare(String a, String b) {
        Matcher x = VERSION.matcher(a.strip());
        Matcher y = VERSION.matcher(b.strip());
        boolean xn = x.matches();
        boolean yn = y.matches();
        if (!xn || !yn) {
            return xn == yn ? a.strip().compareTo(b.strip()) : xn ? 1 : -1;
        }
        String[] xs = x.group(1).split("\\.");
        String[] ys = y.group(1).split("\\.");
        for (int i = 0; i < Math.max(xs.length, ys.length); i++) {
            int c = Long.compare(i < xs.length ? Long.parseLong(xs[i]) : 0, i < ys.length ? Long.parseLong(ys[i]) : 0);
            if (c != 0) {
                return c;
            }
        }
        String xq = x.group(2);
        String yq = y.group(2);
        if (xq == null || yq == null) {
            return xq == yq ? 0 : xq == null ? 1 : -1;
        }
        return xq.compareTo(yq);
    }

    /** The version a previous install left in {@code dataDir}; empty if none. */
    public static Optional<String> installed(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file, UTF_8).strip();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** Records {@code version} as installed in {@code dataDir}, atomically. */
    public static void recordInstalled(Path dataDir, String version) throws IOException {
        AtomicFiles.write(dataDir.resolve(FILE), (version + "\n").getBytes(UTF_8), AtomicFiles.PUBLIC_READ);
    }
}
