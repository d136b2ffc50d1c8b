package org.mailcert.controller.bindings;

import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.store.Store;

/**
 * Where a binding stands on its host, from what the agent acknowledged: {@code installed} once the
 * host applied a version that includes it, {@code failed} while the agent refuses the update that
 * would, else {@code pending}. ("served", proven by a handshake, comes with drift reports.)
 */
public final class BindingStates {
    private final Store store;

    public BindingStates(Store store) {
        this.store = store;
    }

    /** The state of one binding now. */
    public String of(Binding b) {
        HostStatus status = store.hostStatus(b.key().host());
        long needed = Math.max(b.revision(), store.certificate(b.certificate()).map(CertificateVersion::revision).orElse(0L));
        if (status.appliedVersion() >= needed) {
            return "installed";
        }
        return status.lastError().isEmpty() ? "pending" : "failed";
    }
}
