package org.mailcert.agent.service;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.target.windows.Platform;

/**
 * What installing and removing the service reach the machine through; tests hand in a simulated Windows.
 *
 * @param platform whether this is Windows
 * @param runner runs {@code icacls}, {@code sc.exe} and the wrapper
 * @param clock the time, for the waits
 * @param sleeper waits between polls
 * @param out where progress lines for the admin go (never a secret)
 */
public record ServiceHost(Platform platform, CommandRunner runner, Clock clock, Sleeper sleeper, PrintStream out) {
    /** Refuses nulls. */
    public ServiceHost {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(out, "out");
    }

    /** Refuses anything but Windows and relative paths, before anything changes. */
    void check(String what, Path... paths) throws ServiceException {
        if (!platform.windows()) {
            throw new ServiceException("mailcert-agent service " + what + " runs only on Windows, not on "
                    + platform.osName());
        }
        for (Path p : paths) {
            if (!p.isAbsolute()) {
                throw new ServiceException("the path " + p + " must be absolute; nothing was changed");
            }
        }
    }

    /** The wrapper in the install dir. */
    Winsw wrapper(Path installDir) {
        return new Winsw(new Programs(runner), installDir.resolve(WinswConfig.WRAPPER_EXE));
    }

    /** The service's registration. */
    ServiceRegistration registration() {
        return new ServiceRegistration(new Programs(runner));
    }

    /** Restricts directories to SYSTEM and Administrators. */
    AdminOnlyAcl acl() {
        return new AdminOnlyAcl(new Programs(runner));
    }
}
