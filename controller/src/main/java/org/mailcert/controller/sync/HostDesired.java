package org.mailcert.controller.sync;

import java.util.Map;

/**
 * A host's complete desired state at one version.
 *
 * @param bindings by binding id
 */
public record HostDesired(String host, long version, Map<String, BindingSpec> bindings) {
    public HostDesired {
        bindings = Map.copyOf(bindings);
    }
}
