package org.mailcert.agent.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.mailcert.agent.AgentException;

/**
 * {@code mailcert-agent service uninstall}: stops and removes the service if it is registered, deletes the
 * wrapper and its XML from the install dir, and keeps the data dir (identity, state, settings, logs) so
 * that a later install continues as the same host, unless {@code purge} deletes it too.
 */
public final class WindowsServiceUninstaller {
    private final ServiceHost host;

    /** Takes the machine. */
    public WindowsServiceUninstaller(ServiceHost host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /**
     * Removes the service.
     *
     * @throws AgentException with a one-line message when a step fails
     */
    public void uninstall(Path installDir, Path dataDir, boolean purge) throws AgentException, InterruptedException {
        host.check("uninstall", installDir, dataDir);
        Path exe = installDir.resolve(WinswConfig.WRAPPER_EXE);
        Optional<String> registered = host.registration().executable();
        if (registered.isPresent()) {
            if (!ServiceRegistration.samePath(registered.get(), exe.toString()) || !Files.exists(exe)) {
                throw new ServiceException("the service " + WinswConfig.SERVICE_ID + " is registered for "
                        + registered.get() + ", which is not " + exe + " or is missing; remove it with `sc.exe stop "
                        + WinswConfig.SERVICE_ID + "` and `sc.exe delete " + WinswConfig.SERVICE_ID + "`; nothing"
                        + " was changed");
            }
            Winsw winsw = host.wrapper(installDir);
            winsw.stopAndWait();
            winsw.uninstall();
            host.out().println("service " + WinswConfig.SERVICE_ID + ": stopped and removed");
        } else {
            host.out().println("service " + WinswConfig.SERVICE_ID + ": not registered");
        }
        try {
            Files.deleteIfExists(exe);
            Files.deleteIfExists(installDir.resolve(WinswConfig.WRAPPER_XML));
            if (purge) {
                deleteTree(dataDir);
                host.out().println("purged " + dataDir + " (identity, state, settings and logs)");
            } else if (Files.exists(dataDir)) {
                host.out().println("kept " + dataDir + " (identity, state, settings and logs); --purge deletes it");
            }
        } catch (IOException e) {
            throw new ServiceException("the service is removed, but " + WindowsServiceInstaller.describe(e)
                    + "; delete what is left by hand", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.delete(p);
        }
    }
}
