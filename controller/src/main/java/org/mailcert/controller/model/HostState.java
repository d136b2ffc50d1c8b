package org.mailcert.controller.model;

/** Life cycle of a host record. */
public enum HostState {
    /** Declared by a join token; no agent has enrolled yet. */
    PENDING_ENROLLMENT,
    ENROLLED,
    /** Cut off by an admin; its agent is refused. */
    REVOKED
}
