package org.mailcert.controller.model;

/** Whether a host's mail services can serve per-domain certificates by SNI. */
public enum SniSupport {
    /** Not reported yet (no agent, or an agent that has not inspected its host). */
    UNKNOWN,
    YES,
    /** Some mail software on the host can serve only the server-wide certificate (qmail, Courier, Postfix < 3.4). */
    NO
}
