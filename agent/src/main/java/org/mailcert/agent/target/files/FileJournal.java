package org.mailcert.agent.target.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mailcert.common.files.AtomicFiles;

/**
 * Changes files atomically while remembering what each held before, so that the whole set of
 * changes can be undone. Files whose content and mode already match are not touched. Keeps old
 * contents (keys among them) in memory only until {@link #forget()}. Not thread-safe.
 */
final class FileJournal {
    /** What a path held before the first change: its bytes and mode, or nothing. */
    private record Before(Optional<byte[]> content, Set<PosixFilePermission> mode) {
    }

    private final Map<Path, Before> before = new LinkedHashMap<>();
    private final List<Path> createdDirectories = new ArrayList<>();

    /**
     * Writes the file atomically with the mode unless it already holds exactly that.
     *
     * @return whether the file was written
     */
    boolean write(Path file, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), content) && modeOf(file).equals(
                AtomicFiles.posix() ? mode : Set.of())) {
            return false;
        }
        remember(file);
        createParents(file.getParent());
        AtomicFiles.write(file, content, mode);
        return true;
    }

    /**
     * Deletes the file if it exists.
     *
     * @return whether there was a file to delete
     */
    boolean delete(Path file) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        remember(file);
        Files.delete(file);
        AtomicFiles.syncDirectory(file.getParent());
        return true;
    }

    /** Whether nothing has been changed (or everything was forgotten). */
    boolean isEmpty() {
        return before.isEmpty();
    }

    /**
     * Puts every changed file back as it was, last change first, and removes the directories this
     * journal created if they are empty again.
     *
     * @return what could not be restored, one line each; empty when all is back
     */
    List<String> restore() {
        List<String> problems = new ArrayList<>();
        List<Map.Entry<Path, Before>> entries = new ArrayList<>(before.entrySet());
        for (int i = entries.size() - 1; i >= 0; i--) {
            Path file = entries.get(i).getKey();
            Before old = entries.get(i).getValue();
            try {
                if (old.content().isPresent()) {
                    createParents(file.getParent());
                    AtomicFiles.write(file, old.content().get(), old.mode().isEmpty() ? AtomicFiles.PUBLIC_READ
                            : old.mode());
                } else if (Files.deleteIfExists(file)) {
                    AtomicFiles.syncDirectory(file.getParent());
                }
            } catch (IOException e) {
                problems.add("cannot restore " + file + ": " + e.getMessage());
            }
        }
        for (int i = createdDirectories.size() - 1; i >= 0; i--) {
            deleteIfEmpty(createdDirectories.get(i));
        }
        forget();
        return problems;
    }

    /** Drops the remembered contents; the changes can no longer be undone. */
    void forget() {
        before.clear();
        createdDirectories.clear();
    }

    /** Deletes the directory if nothing is left in it; returns whether it is gone. */
    static boolean deleteIfEmpty(Path dir) {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        try {
            Files.delete(dir);
            AtomicFiles.syncDirectory(dir.getParent());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void remember(Path file) throws IOException {
        if (before.containsKey(file)) {
            return;
        }
        if (Files.isRegularFile(file)) {
            before.put(file, new Before(Optional.of(Files.readAllBytes(file)), modeOf(file)));
        } else {
            before.put(file, new Before(Optional.empty(), Set.of()));
        }
    }

    private void createParents(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
            missing.add(0, d);
        }
        for (Path d : missing) {
            Files.createDirectory(d);
            createdDirectories.add(d);
        }
    }

    private static Set<PosixFilePermission> modeOf(Path file) throws IOException {
        return AtomicFiles.posix() ? Files.getPosixFilePermissions(file) : Set.of();
    }
}
