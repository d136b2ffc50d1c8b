package org.mailcert.agent.testing;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.mailcert.agent.state.AgentStatus;
import org.mailcert.agent.state.BindingStatus;

/** A status as {@code run} writes it: connected, one binding applied and one failed. */
public final class TestStatus {
    private TestStatus() {
    }

    /** The sample status. */
    public static AgentStatus sample() {
        return new AgentStatus("mx1.example.com", "controller.example.net:7443", AgentStatus.Connection.CONNECTED,
                Instant.parse("2030-01-02T03:04:05Z"), Optional.of("files: files command exited 1: reload failed"), 12,
                11, List.of(
                        new BindingStatus("server", "mx1.example.com", "mx1-cert", 2, "aa11", BindingStatus.State.APPLIED,
                                ""),
                        new BindingStatus("mail/example.com", "mail.example.com", "wildcard-example-com", 3, "bb22",
                                BindingStatus.State.FAILED, "files command exited 1: reload failed")),
                Instant.parse("2030-01-02T03:05:00Z"));
    }
}
