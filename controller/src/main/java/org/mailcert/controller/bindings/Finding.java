package org.mailcert.controller.bindings;

/**
 * The result of one failed rule.
 *
 * @param refuses true if the binding must not be written, false if it is kept with a warning
 */
public record Finding(RuleReason reason, boolean refuses, String message) {

    static Finding refuse(RuleReason reason, String message) {
        return new Finding(reason, true, message);
    }

    static Finding warn(RuleReason reason, String message) {
        return new Finding(reason, false, message);
    }
}
