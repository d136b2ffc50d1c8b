package org.mailcert.agent.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated options of {@code run}. Those marked "kept" are accepted (so a config file written
 * for the full agent works) and carried for the work that uses them: drift checks, probes and the
 * mail-server targets are not part of this build.
 *
 * @param dataDir identity and state
 * @param mode enforce or report (kept)
 * @param targets the targets to apply, in order
 * @param filesDir the files target's directory, if configured
 * @param filesCommand the files target's command as an argument list; empty for none
 * @param postfixConfigDir kept
 * @param dovecotConfig kept
 * @param nginxConfigDir kept
 * @param probeAddress kept
 * @param probePorts service to port (kept)
 * @param driftInterval kept
 * @param startDelay upper bound of the random delay before the first connection
 * @param keepalive how long without traffic before the agent pings the controller
 * @param keepaliveTimeout how long a ping may go unanswered before the agent reconnects
 */
record RunOptions(Path dataDir, Mode mode, List<String> targets, Optional<Path> filesDir, List<String> filesCommand,
        Path postfixConfigDir, Path dovecotConfig, Path nginxConfigDir, String probeAddress,
        Map<String, Integer> probePorts, Duration driftInterval, Duration startDelay, Duration keepalive,
        Duration keepaliveTimeout) {

    /** Whether drift is repaired or only reported. */
    enum Mode {
        /** Repair drift and report it (default). */
        ENFORCE,
        /** Only report drift. */
        REPORT
    }

    RunOptions {
        targets = List.copyOf(targets);
        filesCommand = List.copyOf(filesCommand);
        probePorts = Map.copyOf(probePorts);
    }
}
