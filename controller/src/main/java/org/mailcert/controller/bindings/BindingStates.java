package org.mailcert.controller.bindings;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingConditions;
import org.mailcert.controller.model.Condition;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.store.Store;

/**
 * Where a binding stands on its host, from what the agent acknowledged and last reported. A
 * binding is <em>needed</em> at the higher of its own revision and its certificate's newest
 * version's; the host's last drift report <em>covers</em> it when the report observed an applied
 * version at least that high. The state is the first of these that holds:
 * <ol>
 *   <li>{@code failed}: the covering report's {@code Installed} condition for the binding is False
 *       (report mode left it so, or a repair failed);</li>
 *   <li>{@code served}: the last report's {@code Served} condition for the binding is True and the
 *       leaf the agent has installed for it is the certificate's newest version (by SHA-256);</li>
 *   <li>{@code installed}: the host acknowledged a version at least the needed one;</li>
 *   <li>{@code failed}: the agent refuses (Nack) the update that would install it;</li>
 *   <li>{@code pending} otherwise.</li>
 * </ol>
 * Binding ids in reports are {@code server}, {@code mail/<domain>} and {@code webmail/<domain>}.
 */
public final class BindingStates {
    private final Store store;

    public BindingStates(Store store) {
        this.store = store;
    }

    /** The state of one binding now. */
    public String of(Binding b) {
        return of(List.of(b)).get(0);
    }

    /**
     * The states of many bindings, in order, reading each host's status and each certificate's
     * newest version once (a host with thousands of domains lists in one pass).
     */
    public List<String> of(List<Binding> bindings) {
        Map<String, HostConditions> hosts = new HashMap<>();
        Map<String, Optional<Newest>> certificates = new HashMap<>();
        List<String> out = new ArrayList<>(bindings.size());
        for (Binding b : bindings) {
            HostConditions host = hosts.computeIfAbsent(b.key().host(), h -> new HostConditions(store.hostStatus(h)));
            Optional<Newest> cert = certificates.computeIfAbsent(b.certificate(),
                    n -> store.certificate(n).map(v -> new Newest(v.revision(), Fingerprints.sha256Hex(v.leaf()))));
            long needed = Math.max(b.revision(), cert.map(Newest::revision).orElse(0L));
            out.add(state(host, b.key().id(), needed, cert.map(Newest::sha256).orElse("")));
        }
        return out;
    }

    private static String state(HostConditions host, String id, long needed, String sha256) {
        Optional<BindingConditions> reported = host.of(id);
        boolean covered = host.report().map(r -> r.appliedVersion() >= needed).orElse(false);
        if (covered && reported.flatMap(c -> c.condition(Condition.INSTALLED)).map(Condition::isFalse).orElse(false)) {
            return "failed";
        }
        if (!sha256.isEmpty() && reported.filter(c -> c.leafSha256().equalsIgnoreCase(sha256))
                .flatMap(c -> c.condition(Condition.SERVED)).map(Condition::isTrue).orElse(false)) {
            return "served";
        }
        HostStatus status = host.status();
        if (status.appliedVersion() >= needed) {
            return "installed";
        }
        return status.lastError().isEmpty() ? "pending" : "failed";
    }

    private record Newest(long revision, String sha256) {
    }

    /** A host's status with its last report's binding conditions by id. */
    private static final class HostConditions {
        private final HostStatus status;
        private final Map<String, BindingConditions> byId = new HashMap<>();

        HostConditions(HostStatus status) {
            this.status = status;
            status.lastReport().ifPresent(r -> r.bindings().forEach(c -> byId.put(c.id(), c)));
        }

        HostStatus status() {
            return status;
        }

        Optional<DriftReport> report() {
            return status.lastReport();
        }

        Optional<BindingConditions> of(String id) {
            return Optional.ofNullable(byId.get(id));
        }
    }
}
