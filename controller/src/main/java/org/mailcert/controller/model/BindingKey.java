package org.mailcert.controller.model;

/**
 * Identity of a binding: at most one certificate per host, scope and domain.
 *
 * @param domain the mail domain for MAIL and WEBMAIL, empty for SERVER
 */
public record BindingKey(String host, Scope scope, String domain) {
    public BindingKey {
        if ((scope == Scope.SERVER) != domain.isEmpty()) {
            throw new IllegalArgumentException(scope == Scope.SERVER
                    ? "a server binding has no domain" : "a " + scope.name().toLowerCase() + " binding needs a domain");
        }
    }

    /** The id agents know the binding by: {@code server}, {@code mail/<domain>} or {@code webmail/<domain>}. */
    public String id() {
        return switch (scope) {
            case SERVER -> "server";
            case MAIL -> "mail/" + domain;
            case WEBMAIL -> "webmail/" + domain;
        };
    }

    /** Human form: {@code host server} or {@code host mail example.com}. */
    @Override
    public String toString() {
        String s = host + " " + scope.name().toLowerCase();
        return domain.isEmpty() ? s : s + " " + domain;
    }
}
