package org.mailcert.controller.auth;

import org.mailcert.controller.model.Role;

/**
 * Who is making a request, as established by authentication.
 *
 * @param actor how events name the caller, e.g. {@code admin:ops}
 * @param role  what the caller may do
 */
public record Caller(String actor, Role role) {
    /** The controller acting on its own (bootstrap, renewals). */
    public static final Caller CONTROLLER = new Caller("controller", Role.ADMIN);

    /** An admin-API caller authenticated by the named token. */
    public static Caller admin(String tokenName, Role role) {
        return new Caller("admin:" + tokenName, role);
    }
}
