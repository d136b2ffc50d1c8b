package org.mailcert.controller.daemon;

import java.util.EnumMap;
import java.util.Map;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.store.Store;

/** Renders the controller's gauges in the Prometheus text exposition format. */
final class ControllerMetrics {
    private final Store store;
    private final org.mailcert.controller.sync.SyncHub hub;

    ControllerMetrics(Store store, org.mailcert.controller.sync.SyncHub hub) {
        this.store = store;
        this.hub = hub;
    }

    /** The exposition text for one scrape. */
    String render() {
        StringBuilder out = new StringBuilder();
        gauge(out, "mailcert_store_revision", "Revision of the last committed change.", store.revision());
        Map<HostState, Integer> hosts = new EnumMap<>(HostState.class);
        for (HostState s : HostState.values()) {
            hosts.put(s, 0);
        }
        for (Host h : store.hosts()) {
            hosts.merge(h.state(), 1, Integer::sum);
        }
        out.append("# HELP mailcert_hosts Hosts by state.\n# TYPE mailcert_hosts gauge\n");
        hosts.forEach((s, n) -> out.append("mailcert_hosts{state=\"").append(s.name().toLowerCase()).append("\"} ")
                .append(n).append('\n'));
        Map<Scope, Integer> bindings = new EnumMap<>(Scope.class);
        for (Scope s : Scope.values()) {
            bindings.put(s, 0);
        }
        for (Binding b : store.bindings()) {
            bindings.merge(b.key().scope(), 1, Integer::sum);
        }
        out.append("# HELP mailcert_bindings Desired bindings by scope.\n# TYPE mailcert_bindings gauge\n");
        bindings.forEach((s, n) -> out.append("mailcert_bindings{scope=\"").append(s.name().toLowerCase()).append("\"} ")
                .append(n).append('\n'));
        gauge(out, "mailcert_certificates", "Named certificates.", store.latestCertificates().size());
        gauge(out, "mailcert_agent_streams", "Live agent Sync streams (connected hosts).", hub.streams());
        counter(out, "mailcert_sync_sent_bytes_total", "Serialized bytes of desired state sent to agents.", hub.bytesSent());
        counter(out, "mailcert_sync_updates_total", "Desired-state updates sent to agents.", hub.updatesSent());
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
