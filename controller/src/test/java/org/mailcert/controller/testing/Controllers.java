package org.mailcert.controller.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.auth.AdminTokens;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.bindings.BindingService;
import org.mailcert.controller.certs.CertificateInspector;
import org.mailcert.controller.certs.CertificateService;
import org.mailcert.controller.certs.ImportRequest;
import org.mailcert.controller.certs.ImportResult;
import org.mailcert.controller.clients.ClientSettingsService;
import org.mailcert.controller.drift.DriftService;
import org.mailcert.controller.hosts.HostService;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostFacts;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.ServiceEndpoint;
import org.mailcert.controller.model.ServiceFacts;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.store.MasterKey;
import org.mailcert.controller.store.RocksStore;
import org.mailcert.controller.store.Store;
import org.mailcert.controller.sync.FleetChanges;

/**
 * The controller's domain services wired over a real RocksDB store in a temp dir, with a test CA
 * the trust checker accepts and a clock tests can move.
 */
public final class Controllers implements AutoCloseable {
    public static final Caller OPERATOR = Caller.admin("test", org.mailcert.controller.model.Role.OPERATOR);

    public final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    public final TestPki pki = TestPki.rootCa("Test Root", clock).intermediate("Test Intermediate");
    public final RocksStore store;
    public final CertificateInspector inspector;
    public final BindingService bindings;
    public final CertificateService certificates;
    public final HostService hosts;
    public final ClientSettingsService clientSettings;
    public final AdminTokens adminTokens;
    /** Hosts the services treat as connected (a live agent stream); none unless a test adds some. */
    public final java.util.Set<String> connected = java.util.concurrent.ConcurrentHashMap.newKeySet();
    public final DriftService drift;
    /** Every host the services reported as changed, in order. */
    public final java.util.List<String> changedHosts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final FleetChanges changes = changedHosts::addAll;

    public Controllers(Path dir) throws ControllerException {
        store = RocksStore.open(dir.resolve("store"), MasterKey.loadOrCreate(dir.resolve("master.key")), clock);
        inspector = new CertificateInspector(new TrustChecker(List.of(pki.root())), clock);
        bindings = new BindingService(store, inspector, changes);
        certificates = new CertificateService(store, inspector, bindings, changes);
        hosts = new HostService(store, new byte[32], connected::contains, changes);
        clientSettings = new ClientSettingsService(store, inspector);
        adminTokens = new AdminTokens(store);
        drift = new DriftService(store, connected::contains, clock);
    }

    /** Declares a host (pending enrollment), as `mailcert token create` does. */
    public void declareHost(String fqdn) throws ControllerException {
        hosts.createJoinToken(OPERATOR, fqdn, null);
    }

    /** Sets what an agent would report about its host's SNI support. */
    public void setSni(String fqdn, SniSupport sni) throws ControllerException {
        setFacts(fqdn, new HostFacts("Debian 12", "test", Map.of(), sni));
    }

    /** Records facts as a Hello carrying them would. */
    public void setFacts(String fqdn, HostFacts facts) throws ControllerException {
        updateStatus(fqdn, s -> s.seen(clock.instant(), facts));
    }

    /** Changes what the host's agent reported, as the controller records Acks, Nacks and reports. */
    public void updateStatus(String fqdn, java.util.function.UnaryOperator<HostStatus> change)
            throws ControllerException {
        store.write(tx -> {
            tx.putHostStatus(change.apply(store.hostStatus(fqdn)));
            return null;
        });
    }

    /** Marks a declared host enrolled, as its agent's enrollment would. */
    public void markEnrolled(String fqdn) throws ControllerException {
        store.write(tx -> {
            tx.putHost(store.host(fqdn).orElseThrow().with(HostState.ENROLLED, List.of("01"), tx.revision()));
            return null;
        });
    }

    /**
     * Facts of a Debian 12 host running these services, serving {@code domains}, with the host-level
     * SNI summary an agent computes (NO if any service lacks per-domain SNI, YES otherwise, UNKNOWN if none).
     */
    public static HostFacts factsOf(List<String> domains, ServiceFacts... services) {
        java.util.Map<String, String> software = new java.util.LinkedHashMap<>();
        boolean anyWithout = false;
        for (ServiceFacts s : services) {
            software.putIfAbsent(s.software(), s.version());
            anyWithout |= !s.perDomainSni();
        }
        SniSupport sni = services.length == 0 ? SniSupport.UNKNOWN : anyWithout ? SniSupport.NO : SniSupport.YES;
        return new HostFacts("Debian 12", "test", software, sni, List.of(services), domains, List.of());
    }

    /** One service's facts with the standard port of each named TLS service. */
    public static ServiceFacts service(String software, String version, boolean perDomainSni, String... services) {
        java.util.Map<String, Integer> ports = Map.of("smtp", 25, "submission", 587, "smtps", 465, "imap", 143,
                "imaps", 993, "pop3", 110, "pop3s", 995, "https", 443);
        return new ServiceFacts(software, version, perDomainSni, java.util.Arrays.stream(services)
                .map(x -> new ServiceEndpoint(x, ports.get(x))).toList(), List.of());
    }

    /** Imports a leaf (chain + key in one PEM) under a name. */
    public ImportResult importLeaf(String name, TestPki.Leaf leaf) throws ControllerException {
        return certificates.importCertificate(OPERATOR, new ImportRequest(name,
                leaf.combinedPem().getBytes(StandardCharsets.US_ASCII), new byte[0], new byte[0], null, false));
    }

    /** Everything the store holds that an admin can see, for before/after comparisons. */
    public String snapshot() {
        StringBuilder b = new StringBuilder("revision=").append(store.revision()).append('\n');
        for (Host h : store.hosts()) {
            b.append(h).append('\n');
        }
        for (CertificateVersion c : store.latestCertificates()) {
            for (CertificateVersion v : store.certificateVersions(c.name())) {
                b.append(v.name()).append(' ').append(v.version()).append(' ').append(v.revision()).append('\n');
            }
        }
        for (Binding x : store.bindings()) {
            b.append(x).append('\n');
        }
        b.append("events=").append(store.lastEventSeq()).append('\n');
        store.adminTokens().forEach(t -> b.append(t.name()).append('\n'));
        return b.toString();
    }

    @Override
    public void close() {
        store.close();
    }
}
