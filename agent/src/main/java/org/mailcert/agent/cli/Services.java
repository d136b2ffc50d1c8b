package org.mailcert.agent.cli;

import java.time.Clock;
import java.util.Objects;
import org.mailcert.agent.exec.CommandRunner;
import org.mailcert.agent.exec.CommonsExecRunner;
import org.mailcert.agent.identity.EnrollmentClient;
import org.mailcert.agent.transport.ChannelFactory;
import org.mailcert.agent.transport.GrpcEnrollmentClient;
import org.mailcert.agent.transport.TlsChannels;

/**
 * What the commands reach the outside world through; tests replace parts of it.
 *
 * @param clock the time
 * @param enrollment sends Enroll
 * @param channels opens Sync channels, given the keepalive interval and timeout
 * @param commands runs external commands
 */
record Services(Clock clock, EnrollmentClient enrollment,
        java.util.function.BiFunction<java.time.Duration, java.time.Duration, ChannelFactory> channels,
        CommandRunner commands) {
    Services {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(enrollment, "enrollment");
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(commands, "commands");
    }

    /** The real ones: system clock, TLS over the network, Commons Exec. */
    static Services production() {
        return new Services(Clock.systemUTC(), new GrpcEnrollmentClient(), TlsChannels::sync, new CommonsExecRunner());
    }
}
