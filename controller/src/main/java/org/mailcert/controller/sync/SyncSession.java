package org.mailcert.controller.sync;

import org.mailcert.controller.model.HostFacts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.auth.Secrets;
import org.mailcert.controller.drift.DriftEvents;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent stream, xDS style: after the agent's Hello it sends the difference between the host's
 * desired state and what the agent has, waits for Ack or Nack, and sends again only when the
 * desired state moved. At most one update is unacknowledged; changes during it are coalesced into
 * the next one. A Nacked version is not resent until the desired state changes again. Facts, Acks,
 * Nacks and drift reports are recorded in the host's status through the {@link StatusRecorder}.
 *
 * <p>Thread-safety: all methods are synchronized; the hub calls them from its executor and the
 * gRPC adapter from the stream's thread.
 */
public final class SyncSession {
    private static final Logger log = LoggerFactory.getLogger(SyncSession.class);
    /** Pages stay well under gRPC's 4 MiB default message limit. */
    public static final int PAGE_BYTES = 1 << 20;
    private static final int BINDING_BYTES = 160;

    private final String streamId;
    private final Host host;
    private final Store store;
    private final DesiredStates desired;
    private final StreamSink sink;
    private final int pageBytes;
    private final StatusRecorder recorder;
    private final SyncCounters counters;

    private Map<String, String> agentApplied = Map.of();
    private Set<String> agentHeld = Set.of();
    private long appliedVersion;
    private boolean helloSeen;
    private boolean firstSent;
    private InFlight inFlight;
    private boolean dirty;
    private long nackedVersion = -1;
    private long lastSentVersion;
    private boolean closed;

    private record InFlight(long version, String nonce, Map<String, String> result, Set<String> sentMaterials) {
    }

    SyncSession(String streamId, Host host, Store store, DesiredStates desired, StreamSink sink, int pageBytes,
            StatusRecorder recorder, SyncCounters counters) {
        this.recorder = recorder;
        this.counters = counters;
        this.pageBytes = pageBytes;
        this.streamId = streamId;
        this.host = host;
        this.store = store;
        this.desired = desired;
        this.sink = sink;
    }

    /** The host this stream belongs to. */
    public String host() {
        return host.fqdn();
    }

    /** Identifies the stream in logs. */
    public String streamId() {
        return streamId;
    }

    /** The version the agent last acknowledged. */
    public synchronized long appliedVersion() {
        return appliedVersion;
    }

    /** Records what the agent has and sends it what it lacks. */
    public synchronized void hello(AgentHello hello) throws ControllerException {
        if (helloSeen) {
            throw ControllerException.invalid("Hello sent twice on one stream");
        }
        helloSeen = true;
        agentApplied = new HashMap<>(hello.applied());
        agentHeld = new HashSet<>(hello.held());
        appliedVersion = hello.appliedVersion();
        recorder.record(host.fqdn(), (s, now) -> s.seen(now, hello.facts()), null);
        log.info("stream {} of {}: agent {} at applied version {} with {} bindings", streamId, host.fqdn(),
                hello.agentVersion(), hello.appliedVersion(), hello.applied().size());
        push();
    }

    /**
     * Sends the difference between desired and applied state, unless an update is in flight (then
     * it is sent after the Ack) or there is nothing new.
     */
    public synchronized void push() throws ControllerException {
        if (!helloSeen || closed) {
            return;
        }
        if (inFlight != null) {
            dirty = true;
            return;
        }
        Host current = store.host(host.fqdn()).orElse(null);
        if (current == null) {
            close(ControllerException.unauthenticated("host " + host.fqdn() + " no longer exists"));
            return;
        }
        if (current.state() == org.mailcert.controller.model.HostState.REVOKED) {
            close(ControllerException.permissionDenied("host " + host.fqdn() + " is revoked"));
            return;
        }
        HostDesired want = desired.of(current);
        if (firstSent && (want.version() == lastSentVersion || want.version() == nackedVersion)) {
            return;
        }
        List<BindingSpec> upserts = new ArrayList<>();
        for (BindingSpec b : want.bindings().values()) {
            if (!b.leafSha256().equals(agentApplied.get(b.id()))) {
                upserts.add(b);
            }
        }
        upserts.sort((a, b) -> a.id().compareTo(b.id()));
        List<String> removed = new ArrayList<>();
        for (String id : agentApplied.keySet()) {
            if (!want.bindings().containsKey(id)) {
                removed.add(id);
            }
        }
        removed.sort(String::compareTo);
        List<MaterialSpec> materials = new ArrayList<>();
        Set<String> sentShas = new HashSet<>();
        for (BindingSpec b : upserts) {
            if (!agentHeld.contains(b.leafSha256()) && sentShas.add(b.leafSha256())) {
                materials.add(desired.material(b));
            }
        }
        Map<String, String> result = new HashMap<>();
        want.bindings().values().forEach(b -> result.put(b.id(), b.leafSha256()));
        String nonce = Secrets.random(9);
        inFlight = new InFlight(want.version(), nonce, result, sentShas);
        firstSent = true;
        lastSentVersion = want.version();
        sendPaged(want.version(), nonce, upserts, removed, materials);
        log.debug("stream {} of {}: sent version {} ({} upserted, {} removed, {} materials)", streamId, host.fqdn(),
                want.version(), upserts.size(), removed.size(), materials.size());
    }

    private void sendPaged(long version, String nonce, List<BindingSpec> upserts, List<String> removed,
            List<MaterialSpec> materials) {
        int page = 0;
        List<BindingSpec> u = new ArrayList<>();
        List<String> r = new ArrayList<>();
        List<MaterialSpec> m = new ArrayList<>();
        int bytes = 0;
        int ui = 0;
        int ri = 0;
        int mi = 0;
        while (ui < upserts.size() || ri < removed.size() || mi < materials.size()) {
            int next;
            if (mi < materials.size()) {
                next = materials.get(mi).size();
            } else if (ui < upserts.size()) {
                next = BINDING_BYTES;
            } else {
                next = removed.get(ri).length() + 8;
            }
            if (bytes > 0 && bytes + next > pageBytes) {
                sink.send(new StateUpdate(version, nonce, false, u, r, m, page++, false));
                u = new ArrayList<>();
                r = new ArrayList<>();
                m = new ArrayList<>();
                bytes = 0;
            }
            if (mi < materials.size()) {
                m.add(materials.get(mi++));
            } else if (ui < upserts.size()) {
                u.add(upserts.get(ui++));
            } else {
                r.add(removed.get(ri++));
            }
            bytes += next;
        }
        sink.send(new StateUpdate(version, nonce, false, u, r, m, page, true));
    }

    /** The agent applied an update. */
    public synchronized void ack(long version, String nonce) throws ControllerException {
        InFlight f = requireInFlight(version, nonce);
        inFlight = null;
        agentApplied = f.result();
        Set<String> held = new HashSet<>(f.result().values());
        agentHeld = held;
        boolean moved = version != appliedVersion;
        appliedVersion = version;
        recorder.record(host.fqdn(), (s, now) -> s.applied(now, version), moved
                ? Event.draft("agent:" + host.fqdn(), "state.applied", host.fqdn(), "version " + version,
                        host.fqdn() + " applied desired version " + version)
                : null);
        if (dirty) {
            dirty = false;
            push();
        }
    }

    /** The agent refused an update and kept its previous state. */
    public synchronized void nack(long version, String nonce, String message) throws ControllerException {
        requireInFlight(version, nonce);
        inFlight = null;
        nackedVersion = version;
        counters.nacks.incrementAndGet();
        String why = message == null || message.isBlank() ? "no reason given" : message;
        recorder.record(host.fqdn(), (s, now) -> s.refused(now, why), Event.draft("agent:" + host.fqdn(),
                "state.rejected", host.fqdn(), "version " + version, host.fqdn() + " refused desired version " + version
                        + " and kept version " + appliedVersion + ": " + why));
        log.warn("stream {} of {}: agent refused version {}: {}", streamId, host.fqdn(), version, why);
        if (dirty) {
            dirty = false;
            push();
        }
    }

    /**
     * Records the host's facts sent after Hello (they changed on the host), with an event when its
     * discovered domains changed: SAN bundles follow them ({@code BundleService}).
     */
    public synchronized void facts(HostFacts facts) throws ControllerException {
        if (!helloSeen) {
            throw ControllerException.invalid("facts sent before Hello");
        }
        String fqdn = host.fqdn();
        recorder.record(fqdn, (status, now, events) -> {
            List<String> before = status.discoveredDomains();
            List<String> added = facts.domains().stream().filter(d -> !before.contains(d)).toList();
            List<String> removed = before.stream().filter(d -> !facts.domains().contains(d)).toList();
            if (!added.isEmpty() || !removed.isEmpty()) {
                events.accept(Event.draft("agent:" + fqdn, "host.domains_changed", fqdn, fqdn, "the agent found "
                        + facts.domains().size() + " domain(s)" + listed("; added ", added) + listed("; removed ", removed)));
            }
            return status.seen(now, facts);
        });
        log.info("stream {} of {}: facts changed ({} domain(s))", streamId, fqdn, facts.domains().size());
    }

    /** {@code prefix} and up to 20 names, or nothing for none. */
    private static String listed(String prefix, List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        return prefix + String.join(", ", names.subList(0, Math.min(20, names.size())))
                + (names.size() > 20 ? " and " + (names.size() - 20) + " more" : "");
    }

    /**
     * Records the agent's drift report as the host's last one, with an event for each item that is
     * new, changed or gone since the previous report ({@link DriftEvents}). The host is the stream's:
     * an agent can only report for itself.
     */
    public synchronized void report(DriftReport report) {
        counters.reports.incrementAndGet();
        String fqdn = host.fqdn();
        recorder.record(fqdn, (status, now, events) -> {
            DriftEvents.between(fqdn, status.lastReport(), report).forEach(events);
            return status.reported(now, report);
        });
        log.debug("stream {} of {}: drift report ({}, outcome {}, {} items)", streamId, fqdn, report.trigger(),
                report.outcome(), report.items().size());
    }

    private InFlight requireInFlight(long version, String nonce) throws ControllerException {
        if (inFlight == null || inFlight.version() != version || !inFlight.nonce().equals(nonce)) {
            throw ControllerException.invalid("acknowledgement of version " + version + " does not match the update"
                    + " in flight" + (inFlight == null ? " (none)" : " (version " + inFlight.version() + ")"));
        }
        return inFlight;
    }

    /** Ends the stream with a reason. */
    public synchronized void close(ControllerException reason) {
        if (!closed) {
            closed = true;
            sink.close(reason);
        }
    }

    /** Whether the stream has been closed by the controller. */
    public synchronized boolean closed() {
        return closed;
    }

    /** Marks the stream as ended by the peer; nothing more is sent. */
    synchronized void ended() {
        closed = true;
    }
}
