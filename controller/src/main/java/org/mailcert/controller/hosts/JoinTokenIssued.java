package org.mailcert.controller.hosts;

import java.time.Instant;
import org.mailcert.common.enroll.JoinTokenValue;

/** A join token just created: its text (shown once), the host and when it expires. */
public record JoinTokenIssued(JoinTokenValue token, String host, Instant expires, boolean hostCreated) {
}
