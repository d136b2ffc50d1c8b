package org.mailcert.agent.target.keychain;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.common.files.AtomicFiles;

/**
 * Replaces files atomically with a given owner, group and mode while remembering what each held
 * before (bytes, owner, group, mode), so the whole set of changes can be undone. A file that
 * already has exactly the content and ownership is not touched. Old contents (keys among them) stay
 * in memory only until {@link #forget()}. Not thread-safe.
 */
public final class FileJournal {
    /** What a path held before the first change: its bytes and ownership, or nothing. */
    private record Before(Optional<byte[]> content, Optional<Ownership> ownership) {
    }

    private final Map<Path, Before> before = new LinkedHashMap<>();
    private final List<Path> createdDirectories = new ArrayList<>();
    private final Map<Path, Ownership> removedDirectories = new LinkedHashMap<>();

    /**
     * Writes the file unless it already holds exactly this content with this ownership; a missing
     * parent directory is created with {@code directoryOwnership}.
     *
     * @return whether the file was written
     */
    public boolean write(Path file, byte[] content, Ownership ownership, Ownership directoryOwnership)
            throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), content)
                && Ownership.of(file).orElseThrow().equals(ownership)) {
            return false;
        }
        remember(file);
        createParents(file.getParent(), directoryOwnership);
        AtomicFiles.write(file, content, ownership.mode(), ownership.owner(), ownership.group());
        return true;
    }

    /**
     * Deletes the file if it exists.
     *
     * @return whether there was a file to delete
     */
    public boolean delete(Path file) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        remember(file);
        Files.delete(file);
        AtomicFiles.syncDirectory(file.getParent());
        return true;
    }

    /**
     * Deletes a directory if nothing is left in it, remembering it so {@link #restore()} brings it
     * back (with its ownership) when a file in it is restored.
     *
     * @return whether it is gone
     */
    public boolean deleteDirectoryIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                return false;
            }
        }
        Ownership old = Ownership.of(dir).orElseThrow();
        Files.delete(dir);
        AtomicFiles.syncDirectory(dir.getParent());
        removedDirectories.put(dir, old);
        return true;
    }

    /** Whether nothing has been changed (or everything was forgotten). */
    public boolean isEmpty() {
        return before.isEmpty() && removedDirectories.isEmpty();
    }

    /**
     * Puts every changed file back as it was, last change first (with its owner, group and mode),
     * and removes the directories this journal created if they are empty again.
     *
     * @return what could not be restored, one line each; empty when all is back
     */
    public List<String> restore() {
        List<String> problems = new ArrayList<>();
        List<Map.Entry<Path, Ownership>> dirs = new ArrayList<>(removedDirectories.entrySet());
        for (int i = dirs.size() - 1; i >= 0; i--) {
            try {
                makeDirectory(dirs.get(i).getKey(), dirs.get(i).getValue());
            } catch (IOException e) {
                problems.add("cannot recreate " + dirs.get(i).getKey() + ": " + e.getMessage());
            }
        }
        List<Map.Entry<Path, Before>> entries = new ArrayList<>(before.entrySet());
        for (int i = entries.size() - 1; i >= 0; i--) {
            Path file = entries.get(i).getKey();
            Before old = entries.get(i).getValue();
            try {
                if (old.content().isPresent()) {
                    Ownership o = old.ownership().orElseThrow();
                    AtomicFiles.write(file, old.content().get(), o.mode(), o.owner(), o.group());
                } else if (Files.deleteIfExists(file)) {
                    AtomicFiles.syncDirectory(file.getParent());
                }
            } catch (IOException e) {
                problems.add("cannot restore " + file + ": " + e.getMessage());
            }
        }
        for (int i = createdDirectories.size() - 1; i >= 0; i--) {
            try {
                deleteDirectoryIfEmpty(createdDirectories.get(i));
            } catch (IOException e) {
                problems.add("cannot remove " + createdDirectories.get(i) + ": " + e.getMessage());
            }
        }
        forget();
        return problems;
    }

    /** Drops the remembered contents; the changes can no longer be undone. */
    public void forget() {
        before.clear();
        createdDirectories.clear();
        removedDirectories.clear();
    }

    private void remember(Path file) throws IOException {
        if (before.containsKey(file)) {
            return;
        }
        if (Files.isRegularFile(file)) {
            before.put(file, new Before(Optional.of(Files.readAllBytes(file)), Ownership.of(file)));
        } else {
            before.put(file, new Before(Optional.empty(), Optional.empty()));
        }
    }

    private void createParents(Path dir, Ownership ownership) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
            missing.add(0, d);
        }
        for (Path d : missing) {
            makeDirectory(d, ownership);
            createdDirectories.add(d);
        }
    }

    private static void makeDirectory(Path dir, Ownership ownership) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir);
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(ownership.owner());
        view.setGroup(ownership.group());
        view.setPermissions(ownership.mode());
        AtomicFiles.syncDirectory(dir.getParent());
    }
}
