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
        return of(java.util.List.of(b)).get(0);
    }

    /**
     * The states of many bindings, in order, reading each host's status and each certificate's
     * newest version once (a host with thousands of domains lists in one pass).
     */
    public java.util.List<String> of(java.util.List<Binding> bindings) {
        java.util.Map<String, HostStatus> statuses = new java.util.HashMap<>();
        java.util.Map<String, Long> certRevisions = new java.util.HashMap<>();
        java.util.List<String> out = new java.util.ArrayList<>(bindings.size());
        for (Binding b : bindings) {
            HostStatus status = statuses.computeIfAbsent(b.key().host(), store::hostStatus);
            long cert = certRevisions.computeIfAbsent(b.certificate(),
                    n -> store.certificate(n).map(CertificateVersion::revision).orElse(0L));
            long needed = Math.max(b.revision(), cert);
            out.add(status.appliedVersion() >= needed ? "installed"
                    : status.lastError().isEmpty() ? "pending" : "failed");
        }
        return out;
    }
}
