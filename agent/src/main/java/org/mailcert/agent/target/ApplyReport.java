package org.mailcert.agent.target;

import java.util.List;
import java.util.Map;

/**
 * What one target did when it applied a desired set.
 *
 * @param target the target's name
 * @param bindings binding id to outcome, for every desired binding
 * @param removed what the target removed because no binding wants it any more (served names)
 */
public record ApplyReport(String target, Map<String, Outcome> bindings, List<String> removed) {
    /** Copies the collections. */
    public ApplyReport {
        bindings = Map.copyOf(bindings);
        removed = List.copyOf(removed);
    }

    /** Whether anything was installed or removed. */
    public boolean changed() {
        return !removed.isEmpty() || bindings.containsValue(Outcome.INSTALLED);
    }
}
