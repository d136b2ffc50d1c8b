package org.mailcert.controller.daemon;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.mailcert.controller.drift.BoundCertificate;
import org.mailcert.controller.drift.DriftService;
import org.mailcert.controller.drift.FleetSnapshot;
import org.mailcert.controller.issuers.AcmeCounters;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.store.Store;
import org.mailcert.controller.sync.SyncHub;

/**
 * Renders the controller's metrics in the Prometheus text exposition format (version 0.0.4). The
 * fleet figures come from one {@link FleetSnapshot} per scrape, so a scrape reads each host's status
 * and each certificate once. Label values are escaped as the format requires.
 */
final class ControllerMetrics {
    private final Store store;
    private final SyncHub hub;
    private final DriftService drift;
    private final AcmeCounters acme;
    private final LongSupplier eventsPruned;

    ControllerMetrics(Store store, SyncHub hub, DriftService drift) {
        this(store, hub, drift, new AcmeCounters(), () -> 0);
    }

    /**
     * @param eventsPruned events the retention deleted since start
     */
    ControllerMetrics(Store store, SyncHub hub, DriftService drift, AcmeCounters acme, LongSupplier eventsPruned) {
        this.store = store;
        this.hub = hub;
        this.drift = drift;
        this.acme = acme;
        this.eventsPruned = eventsPruned;
    }

    /** The exposition text for one scrape. */
    String render() {
        StringBuilder out = new StringBuilder();
        FleetSnapshot fleet = drift.snapshot();
        gauge(out, "mailcert_store_revision", "Revision of the last committed change.", store.revision());

        Map<HostState, Integer> hosts = new EnumMap<>(HostState.class);
        for (HostState s : HostState.values()) {
            hosts.put(s, 0);
        }
        fleet.hosts().forEach(h -> hosts.merge(h.host().state(), 1, Integer::sum));
        family(out, "mailcert_hosts", "Hosts by state.", "gauge");
        hosts.forEach((s, n) -> sample(out, "mailcert_hosts", "state", s.name().toLowerCase(Locale.ROOT), n));

        gauge(out, "mailcert_hosts_connected", "Hosts (not revoked) whose agent has a live stream.", fleet.connected());
        family(out, "mailcert_hosts_by_sync_state", "Hosts by sync state: in_sync, drifting, failing, pending, revoked.",
                "gauge");
        fleet.countByState().forEach((s, n) -> sample(out, "mailcert_hosts_by_sync_state", "state", s.label(), n));

        Map<Scope, Integer> bindings = new EnumMap<>(Scope.class);
        for (Scope s : Scope.values()) {
            bindings.put(s, 0);
        }
        for (Binding b : store.bindings()) {
            bindings.merge(b.key().scope(), 1, Integer::sum);
        }
        family(out, "mailcert_bindings", "Desired bindings by scope.", "gauge");
        bindings.forEach((s, n) -> sample(out, "mailcert_bindings", "scope", s.name().toLowerCase(Locale.ROOT), n));
        gauge(out, "mailcert_certificates", "Named certificates.", store.latestCertificates().size());

        family(out, "mailcert_drift_items", "Outstanding (not repaired) drift items of hosts not revoked, by reason.",
                "gauge");
        fleet.driftByReason().forEach((reason, n) -> sample(out, "mailcert_drift_items", "reason", reason, n));

        family(out, "mailcert_certificate_expiry_days",
                "Days until the newest version of each bound certificate ends, per host binding it.", "gauge");
        Instant now = fleet.now();
        for (BoundCertificate c : fleet.certificates()) {
            String days = String.format(Locale.ROOT, "%.3f", c.fractionalDaysLeft(now));
            for (String host : c.hosts()) {
                out.append("mailcert_certificate_expiry_days{certificate=\"").append(escape(c.name()))
                        .append("\",host=\"").append(escape(host)).append("\"} ").append(days).append('\n');
            }
        }

        gauge(out, "mailcert_agent_streams", "Live agent Sync streams (connected hosts).", hub.streams());
        counter(out, "mailcert_apply_failures_total", "Desired states agents refused (Nacks) since start.",
                hub.applyFailures());
        counter(out, "mailcert_drift_reports_total", "Drift reports received from agents since start.",
                hub.driftReports());
        counter(out, "mailcert_sync_sent_bytes_total", "Serialized bytes of desired state sent to agents.", hub.bytesSent());
        counter(out, "mailcert_sync_updates_total", "Desired-state updates sent to agents.", hub.updatesSent());

        family(out, "mailcert_acme_attempts_total", "ACME orders tried since start, by result.", "counter");
        acme.byResult().forEach((result, n) -> sample(out, "mailcert_acme_attempts_total", "result", result, n));
        family(out, "mailcert_acme_failures_total", "Failed ACME orders since start, by kind.", "counter");
        acme.failuresByKind().forEach((kind, n) -> sample(out, "mailcert_acme_failures_total", "kind", kind, n));
        gauge(out, "mailcert_acme_certificates_failing", "Certificates ordered by ACME whose last attempt failed.",
                store.acmeOrders().stream().filter(o -> o.failures() > 0).count());
        gauge(out, "mailcert_event_seq", "Sequence number of the newest event.", store.lastEventSeq());
        counter(out, "mailcert_events_pruned_total", "Events the retention limits deleted since start.",
                eventsPruned.getAsLong());
        return out.toString();
    }

    /** A label value as the text format wants it: backslash, double quote and line feed escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void family(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String label, String value, long n) {
        out.append(name).append('{').append(label).append("=\"").append(escape(value)).append("\"} ").append(n)
                .append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        family(out, name, help, "counter");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        family(out, name, help, "gauge");
        out.append(name).append(' ').append(value).append('\n');
    }
}
