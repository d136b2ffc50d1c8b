package org.mailcert.agent.service;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.mailcert.agent.exec.CommandResult;

/**
 * The WinSW 2.x wrapper in the install dir ({@code mailcert-agent-service.exe}, configured by the XML beside
 * it). WinSW 2.x has no {@code refresh} (that came with 3.0): the service reads the XML each time it
 * starts, so an upgrade rewrites the XML and restarts; only what Windows itself stores (the wrapper's path,
 * start mode, failure actions, name and description), which this build never changes, would need a new
 * registration. Commands and outputs read from WinSW's source ({@code Program.cs}, v2 line): {@code
 * install} fails if the service exists; {@code stopwait} stops and waits (no error when already stopped);
 * {@code status} prints {@code NonExistent}, {@code Started} (any state but stopped, so also while starting)
 * or {@code Stopped}. UNVERIFIED: not run against the 2.12.0 binary.
 */
final class Winsw {
    /** What {@code status} prints. */
    enum State {
        /** Not registered. */
        NON_EXISTENT,
        /** Any state but stopped. */
        STARTED,
        /** Registered and stopped. */
        STOPPED
    }

    private final Programs programs;
    private final Path exe;

    Winsw(Programs programs, Path exe) {
        this.programs = Objects.requireNonNull(programs, "programs");
        this.exe = Objects.requireNonNull(exe, "exe");
    }

    /** Registers the service from the XML. */
    void install() throws ServiceException, InterruptedException {
        command("register the service", "install");
    }

    /** Removes the registration. */
    void uninstall() throws ServiceException, InterruptedException {
        command("remove the service", "uninstall");
    }

    /** Asks Windows to start the service (does not wait). */
    void start() throws ServiceException, InterruptedException {
        command("start the service", "start");
    }

    /** Stops the service and waits until it has stopped. */
    void stopAndWait() throws ServiceException, InterruptedException {
        command("stop the service", "stopwait");
    }

    /** The service's state. */
    State status() throws ServiceException, InterruptedException {
        String last = command("read the service's status", "status").stdout().strip();
        String word = last.substring(last.lastIndexOf('\n') + 1).strip();
        return switch (word) {
            case "NonExistent" -> State.NON_EXISTENT;
            case "Started" -> State.STARTED;
            case "Stopped" -> State.STOPPED;
            default -> throw new ServiceException(exe.getFileName() + " status printed '" + word
                    + "', not NonExistent, Started or Stopped");
        };
    }

    private CommandResult command(String what, String command) throws ServiceException, InterruptedException {
        return programs.run(what, Programs.WRAPPER, List.of(exe.toString(), command));
    }
}
