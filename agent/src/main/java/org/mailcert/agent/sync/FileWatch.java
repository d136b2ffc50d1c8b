package org.mailcert.agent.sync;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the directories of the files a drift cycle observed (inotify on Linux) and calls back on
 * any change in them with the paths changed (a directory itself for an overflow), from its own
 * daemon thread. It is a hint for speed: a change it misses (an
 * overflow, a directory created later) is still found by the next timed cycle. The agent's own
 * writes are seen too; the caller ignores changes that a cycle started after has already seen.
 */
final class FileWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileWatch.class);

    private final WatchService service;
    private final Consumer<Set<Path>> onChange;
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Thread thread;

    /**
     * Starts the watch thread.
     *
     * @throws IOException if the platform has no watch service
     */
    FileWatch(Consumer<Set<Path>> onChange) throws IOException {
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.service = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::loop, "mailcert-file-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Watches exactly the directories of {@code paths} (a directory stands for itself, a file for
     * its parent); directories that do not exist are skipped. Called from one thread at a time.
     */
    synchronized void watch(Set<Path> paths) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path p : paths) {
            Path dir = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
            if (dir != null && Files.isDirectory(dir)) {
                dirs.add(dir.toAbsolutePath().normalize());
            }
        }
        keys.entrySet().removeIf(e -> {
            if (!dirs.contains(e.getKey())) {
                e.getValue().cancel();
                return true;
            }
            return false;
        });
        for (Path dir : dirs) {
            if (keys.containsKey(dir)) {
                continue;
            }
            try {
                keys.put(dir, dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot watch {}: {}", dir, e.toString());
            }
        }
    }

    /** The directories watched now. */
    synchronized Set<Path> directories() {
        return Set.copyOf(keys.keySet());
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = service.take();
                Set<Path> changed = new LinkedHashSet<>();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (!(key.watchable() instanceof Path dir)) {
                        continue;
                    }
                    // An overflow names no file: the directory stands for whatever changed in it.
                    changed.add(event.context() instanceof Path name ? dir.resolve(name) : dir);
                }
                key.reset();
                if (!changed.isEmpty()) {
                    onChange.accept(changed);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the agent is stopping
        }
    }

    /** Stops watching. */
    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("closing the file watch: {}", e.toString());
        }
        thread.interrupt();
    }
}
