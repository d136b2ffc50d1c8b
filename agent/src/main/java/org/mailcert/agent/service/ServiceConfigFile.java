package org.mailcert.agent.service;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mailcert.common.files.AtomicFiles;

/**
 * The service's settings, {@code <data-dir>\config.yaml}: the options of {@code mailcert-agent run} by name
 * ({@code data-dir}, {@code target}, ...). Written once on the first install; after that the admin's file is
 * kept, except that a new target list replaces the {@code target} entry alone. Always replaced atomically.
 * It is not {@code agent.yaml}: that file in the data dir is the identity's (controller, host, host id).
 */
final class ServiceConfigFile {
    private ServiceConfigFile() {
    }

    /** Writes a new file with the data dir and the targets. */
    static void create(Path file, Path dataDir, List<String> targets) throws IOException {
        String text = "# mailcert-agent settings for the Windows service: the options of `mailcert-agent run --help`"
                + " by name.\n# Kept on upgrade; install-agent.ps1 -Target replaces only the target entry. Restart the"
                + " service after editing.\n"
                + "data-dir: " + quoted(dataDir.toString()) + "\n"
                + targetLine(targets);
        AtomicFiles.write(file, text.getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
    }

    /** Replaces the {@code target} entry (a flow list or a block list under it), or appends one. */
    static void replaceTargets(Path file, List<String> targets) throws IOException {
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        boolean inTarget = false;
        for (String line : Files.readAllLines(file, UTF_8)) {
            if (line.startsWith("target:")) {
                if (!replaced) {
                    out.add(targetLine(targets).strip());
                }
                replaced = true;
                inTarget = true;
            } else if (inTarget && (line.startsWith(" ") || line.startsWith("-") || line.startsWith("\t"))) {
                continue;
            } else {
                inTarget = false;
                out.add(line);
            }
        }
        if (!replaced) {
            out.add(targetLine(targets).strip());
        }
        AtomicFiles.write(file, (String.join("\n", out) + "\n").getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
    }

    private static String targetLine(List<String> targets) {
        return "target: [" + String.join(", ", targets) + "]\n";
    }

    /** A YAML single-quoted scalar: backslashes stay as they are, a quote is doubled. */
    static String quoted(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
