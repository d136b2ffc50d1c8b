package org.mailcert.agent.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.agent.target.keychain.SniSupport;

/**
 * The validated options of {@code run}.
 *
 * @param dataDir identity and state
 * @param mode enforce or report
 * @param targets the targets to apply, in order
 * @param filesDir the files target's directory, if configured
 * @param filesCommand the files target's command as an argument list; empty for none
 * @param mail where the mail-server targets find their software, and how they probe it
 * @param nginx the nginx target's settings, when it is chosen
 * @param drift how drift is checked
 * @param startDelay upper bound of the random delay before the first connection
 * @param keepalive how long without traffic before the agent pings the controller
 * @param keepaliveTimeout how long a ping may go unanswered before the agent reconnects
 */
record RunOptions(Path dataDir, Mode mode, List<String> targets, Optional<Path> filesDir, List<String> filesCommand,
        Mail mail, Optional<org.mailcert.agent.target.nginx.NginxSettings> nginx, Drift drift, Duration startDelay, Duration keepalive,
        Duration keepaliveTimeout) {

    /** Whether drift is repaired or only reported. */
    enum Mode {
        /** Repair drift and report it (default). */
        ENFORCE,
        /** Only report drift. */
        REPORT
    }

    /**
     * The mail-server targets' settings.
     *
     * @param postfixConfigDir Postfix's configuration directory
     * @param dovecotConfig Dovecot's main configuration file
     * @param qmailDir qmail's directory
     * @param qmailSni whether qmail serves per-domain certificates
     * @param courierConfigDir Courier's configuration directory
     * @param courierSni whether Courier serves per-domain certificates
     * @param probeAddress where live handshakes go
     * @param probePorts service to port, for software whose configuration does not say (qmail)
     * @param probeDeadline how long a service may take after a reload to serve the new certificate
     */
    record Mail(Path postfixConfigDir, Path dovecotConfig, Path qmailDir, SniSupport qmailSni, Path courierConfigDir,
            SniSupport courierSni, String probeAddress, Map<String, Integer> probePorts, Duration probeDeadline) {
        Mail {
            probePorts = Map.copyOf(probePorts);
        }
    }

    /**
     * How drift is checked.
     *
     * @param interval how often the timer runs a cycle
     * @param probes how many handshakes one cycle makes at most
     * @param watch whether a change of a managed file starts a cycle soon
     * @param expiringWithin how long before its end a certificate is Expiring (or a third of its lifetime)
     * @param extraRoots roots trusted besides the JDK's when judging served chains
     */
    record Drift(Duration interval, int probes, boolean watch, Duration expiringWithin, Optional<Path> extraRoots) {
    }

    RunOptions {
        targets = List.copyOf(targets);
        filesCommand = List.copyOf(filesCommand);
    }
}
