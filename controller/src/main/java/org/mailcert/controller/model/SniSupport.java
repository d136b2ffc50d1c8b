package org.mailcert.controller.model;

/** Whether a host's mail services can serve per-domain certificates by SNI. */
public enum SniSupport {
    /** Not reported yet (no agent, or an agent that has not inspected its host). */
    UNKNOWN,
    YES,
    /** Only the server-wide certificate can be served (qmail, Courier). */
    NO
}
