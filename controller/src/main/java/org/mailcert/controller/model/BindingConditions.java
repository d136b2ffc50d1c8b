package org.mailcert.controller.model;

import java.util.List;
import java.util.Optional;

/**
 * The conditions of one binding on its host, as the agent observed them.
 *
 * @param id         {@code server}, {@code mail/<domain>} or {@code webmail/<domain>}
 * @param leafSha256 SHA-256 (hex) of the leaf the agent has installed for it; empty if none
 */
public record BindingConditions(String id, List<Condition> conditions, String leafSha256) {
    /** Copies the list. */
    public BindingConditions {
        conditions = List.copyOf(conditions);
    }

    /** The condition of one type, if reported. */
    public Optional<Condition> condition(String type) {
        return conditions.stream().filter(c -> c.type().equals(type)).findFirst();
    }
}
