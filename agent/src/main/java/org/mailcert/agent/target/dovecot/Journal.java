package org.mailcert.agent.target.dovecot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mailcert.common.files.AtomicFiles;

/**
 * The files one apply touched, each with its content and mode from before, so they can be put back
 * exactly (a file that did not exist is deleted again). Not thread-safe.
 */
final class Journal {
    private record Before(Optional<byte[]> content, Set<PosixFilePermission> mode) {
    }

    private final Map<Path, Before> before = new LinkedHashMap<>();

    /** Remembers {@code file} as it is now, unless it is already remembered. */
    void remember(Path file) throws IOException {
        if (before.containsKey(file)) {
            return;
        }
        if (Files.isRegularFile(file)) {
            Set<PosixFilePermission> mode = AtomicFiles.posix() ? Files.getPosixFilePermissions(file)
                    : AtomicFiles.OWNER_ONLY;
            before.put(file, new Before(Optional.of(Files.readAllBytes(file)), mode));
        } else {
            before.put(file, new Before(Optional.empty(), AtomicFiles.OWNER_ONLY));
        }
    }

    /** Whether {@code file} was remembered. */
    boolean contains(Path file) {
        return before.containsKey(file);
    }

    /** Whether anything was remembered. */
    boolean isEmpty() {
        return before.isEmpty();
    }

    /** Puts every remembered file back, newest first; returns what could not be restored. */
    List<String> restore() {
        List<String> problems = new ArrayList<>();
        List<Path> files = new ArrayList<>(before.keySet());
        java.util.Collections.reverse(files);
        for (Path f : files) {
            Before b = before.get(f);
            try {
                if (b.content().isPresent()) {
                    if (!Files.isRegularFile(f) || !java.util.Arrays.equals(Files.readAllBytes(f), b.content().get())) {
                        AtomicFiles.write(f, b.content().get(), b.mode());
                    }
                } else if (Files.deleteIfExists(f)) {
                    AtomicFiles.syncDirectory(f.getParent());
                }
            } catch (IOException e) {
                problems.add(f + ": " + e.getMessage());
            }
        }
        return problems;
    }

    /** Forgets everything (the change is committed). */
    void forget() {
        before.clear();
    }
}
