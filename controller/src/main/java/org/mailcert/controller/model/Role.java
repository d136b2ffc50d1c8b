package org.mailcert.controller.model;

/** What an admin token may do; each role includes the ones before it. */
public enum Role {
    /** Reads everything except secrets; changes nothing. */
    VIEWER,
    /** Changes certificates, bindings, hosts and join tokens. */
    OPERATOR,
    /** Also manages admin tokens. */
    ADMIN;

    /** Whether this role includes {@code other}. */
    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }
}
