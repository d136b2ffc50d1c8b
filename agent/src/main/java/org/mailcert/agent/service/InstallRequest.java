package org.mailcert.agent.service;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mailcert.common.net.ControllerAddress;

/**
 * What {@code mailcert-agent service install} was asked to do.
 *
 * @param installDir where {@code mailcert-agent.jar} is and the wrapper goes
 * @param dataDir the agent's identity, state, settings and logs
 * @param winsw the downloaded WinSW executable to install
 * @param winswSha256 the SHA-256 it must have
 * @param javaExe the {@code java.exe} the service runs
 * @param controller where to enroll; needed only when enrolling
 * @param targets the targets for the settings file; empty keeps the file's (required on a first install)
 * @param force enroll again even if an identity exists
 * @param allowDowngrade install even if the data dir says a newer version was installed
 */
public record InstallRequest(Path installDir, Path dataDir, Path winsw, String winswSha256, Path javaExe,
        Optional<ControllerAddress> controller, List<String> targets, boolean force, boolean allowDowngrade) {
    /** Copies the list and refuses nulls. */
    public InstallRequest {
        Objects.requireNonNull(installDir, "installDir");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(winsw, "winsw");
        Objects.requireNonNull(winswSha256, "winswSha256");
        Objects.requireNonNull(javaExe, "javaExe");
        Objects.requireNonNull(controller, "controller");
        targets = List.copyOf(targets);
    }

    /** The wrapper configuration for these paths. */
    WinswConfig wrapperConfig() {
        return new WinswConfig(javaExe.toString(), installDir.toString(), dataDir.toString());
    }
}
