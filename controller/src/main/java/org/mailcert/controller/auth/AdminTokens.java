package org.mailcert.controller.auth;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.AdminToken;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.store.Store;

/**
 * Bearer tokens for the admin API: creation, lookup by secret, revocation. Only hashes are
 * stored; a token's secret is shown once, when it is created.
 */
public final class AdminTokens {
    /** Prefix that marks a string as a mailcert admin token. */
    public static final String PREFIX = "mca1.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final Store store;

    public AdminTokens(Store store) {
        this.store = store;
    }

    /** A created token: its secret (shown once) and its stored record. */
    public record Created(String token, AdminToken info) {
    }

    /** A fresh token text. */
    public static String newToken() {
        return PREFIX + Secrets.random(32);
    }

    /** Creates a token with the given name and role; refuses a name in use. */
    public Created create(Caller caller, String name, Role role) throws ControllerException {
        return create(caller, name, role, newToken());
    }

    /** Creates a token from text made by {@link #newToken()} (so it can be saved before it is valid). */
    public Created create(Caller caller, String name, Role role, String token) throws ControllerException {
        requireName(name);
        if (!token.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not an admin token made by newToken()");
        }
        AdminToken info = store.write(tx -> {
            if (store.adminToken(name).isPresent()) {
                throw ControllerException.alreadyExists("an admin token named " + name
                        + " exists; revoke it first or choose another name");
            }
            AdminToken t = new AdminToken(name, Secrets.sha256(token), role, tx.now());
            tx.putAdminToken(t);
            tx.appendEvent(Event.draft(caller.actor(), "admin-token.created", "", name,
                    "admin token " + name + " created with role " + role.name().toLowerCase()));
            return t;
        });
        return new Created(token, info);
    }

    /** Whether any admin token exists (false only before the first start completes). */
    public boolean any() {
        return !store.adminTokens().isEmpty();
    }

    /** All tokens (without secrets). */
    public List<AdminToken> list() {
        return store.adminTokens();
    }

    /** Revokes a token; the last admin-role token cannot be revoked. */
    public void revoke(Caller caller, String name) throws ControllerException {
        store.write(tx -> {
            AdminToken t = store.adminToken(name).orElseThrow(
                    () -> ControllerException.notFound("no admin token named " + name + "; see `mailcert admin-token list`"));
            if (t.role() == Role.ADMIN && store.adminTokens().stream().filter(a -> a.role() == Role.ADMIN).count() == 1) {
                throw ControllerException.failedPrecondition("admin token " + name
                        + " is the last one with the admin role; create another admin token before revoking it");
            }
            tx.deleteAdminToken(name);
            tx.appendEvent(Event.draft(caller.actor(), "admin-token.revoked", "", name, "admin token " + name + " revoked"));
            return null;
        });
    }

    /** The caller a bearer token stands for, if it is a known token. */
    public Optional<Caller> authenticate(String bearer) {
        if (bearer == null || !bearer.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return store.adminTokenByHash(Secrets.sha256(bearer)).map(t -> Caller.admin(t.name(), t.role()));
    }

    private static void requireName(String name) throws ControllerException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ControllerException.invalid("invalid token name \"" + org.mailcert.common.names.DnsNames.displaySafe(String.valueOf(name))
                    + "\": use 1-63 lower-case letters, digits, '.', '-' or '_', starting with a letter or digit");
        }
    }
}
