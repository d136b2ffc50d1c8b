package org.mailcert.controller.model;

import java.time.Instant;
import java.util.List;

/**
 * Desired state: the named certificate (latest version) that one host serves for one name.
 *
 * @param warnings rule results accepted with a warning (untrusted, server certificate invalid)
 * @param revision store revision at which this binding was written
 */
public record Binding(BindingKey key, String certificate, List<String> warnings, Instant created, long revision) {
    public Binding {
        warnings = List.copyOf(warnings);
    }

    /** The name clients connect to for this binding. */
    public String servedName() {
        return key.scope().servedName(key.host(), key.domain());
    }
}
