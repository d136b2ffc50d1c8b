package org.mailcert.agent.service;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.mailcert.agent.state.AgentStatus;
import org.mailcert.agent.state.AgentStatus.Connection;
import org.mailcert.agent.state.StateException;
import org.mailcert.agent.state.StatusStore;

/**
 * Waits, within bounds, until the started service is running and then until the agent it runs reports a
 * connection to the controller in its status file, written after the start (an older file from before an
 * upgrade does not count).
 */
final class Readiness {
    /** How long Windows may take to report the service started. */
    static final Duration STARTED_WITHIN = Duration.ofSeconds(30);
    /** How long the agent may take to connect (its random start delay is at most 5 s by default). */
    static final Duration CONNECTED_WITHIN = Duration.ofSeconds(60);
    /** How often the state is polled. */
    static final Duration POLL = Duration.ofSeconds(1);

    private final Clock clock;
    private final Sleeper sleeper;

    Readiness(Clock clock, Sleeper sleeper) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Polls {@code status} until it prints Started. */
    void awaitStarted(Winsw winsw, Path logs) throws ServiceException, InterruptedException {
        Instant deadline = clock.instant().plus(STARTED_WITHIN);
        Winsw.State state = winsw.status();
        while (state != Winsw.State.STARTED) {
            if (!clock.instant().isBefore(deadline)) {
                throw new ServiceException("the service " + WinswConfig.SERVICE_ID + " did not start within "
                        + STARTED_WITHIN.toSeconds() + " s (status: " + state + "); see the logs in " + logs);
            }
            sleeper.sleep(POLL);
            state = winsw.status();
        }
    }

    /** Reads the status file until it shows a connection made after {@code startedAt}; returns that status. */
    AgentStatus awaitConnected(StatusStore store, Instant startedAt, Path logs) throws ServiceException,
            InterruptedException {
        Instant deadline = clock.instant().plus(CONNECTED_WITHIN);
        Instant after = startedAt.truncatedTo(ChronoUnit.SECONDS);
        Optional<AgentStatus> seen = Optional.empty();
        while (true) {
            Optional<AgentStatus> status = fresh(store, after);
            if (status.isPresent()) {
                seen = status;
                Connection c = status.get().connection();
                if (c == Connection.CONNECTED) {
                    return status.get();
                }
                if (c == Connection.REVOKED || c == Connection.REENROLL_REQUIRED) {
                    throw notConnected(status, logs, "the controller refuses this host");
                }
            }
            if (!clock.instant().isBefore(deadline)) {
                throw notConnected(seen, logs, "it did not connect to the controller within "
                        + CONNECTED_WITHIN.toSeconds() + " s");
            }
            sleeper.sleep(POLL);
        }
    }

    private static Optional<AgentStatus> fresh(StatusStore store, Instant after) {
        try {
            return store.load().filter(s -> !s.since().isBefore(after));
        } catch (StateException e) {
            return Optional.empty(); // being written or damaged: the agent rewrites it
        }
    }

    private static ServiceException notConnected(Optional<AgentStatus> status, Path logs, String what) {
        String state = status.map(s -> " (connection " + s.connection().label() + s.lastError().map(e -> ", last error: "
                + e).orElse("") + ")").orElse(" (no status written yet)");
        return new ServiceException("the service " + WinswConfig.SERVICE_ID + " is running but " + what + state
                + "; see the logs in " + logs + " and `mailcert-agent status`");
    }
}
