package org.mailcert.controller.hosts;

import java.util.List;
import org.mailcert.controller.drift.SyncState;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostStatus;

/**
 * A host as admins see it.
 *
 * @param desiredVersion highest revision among its bindings, the certificate versions they use and
 *                       the host record (which a binding removal rewrites)
 * @param connected      whether its agent has a live stream now
 * @param uncoveredDomains discovered domains with no MAIL binding on this host whose server-wide
 *                       certificate does not cover {@code mail.<domain>} either (sorted)
 * @param syncState      where the host stands ({@link SyncState#of})
 */
public record HostView(Host host, HostStatus status, List<Binding> bindings, long desiredVersion, boolean connected,
        List<String> uncoveredDomains, SyncState syncState) {
    /** Copies the lists. */
    public HostView {
        bindings = List.copyOf(bindings);
        uncoveredDomains = List.copyOf(uncoveredDomains);
    }
}
