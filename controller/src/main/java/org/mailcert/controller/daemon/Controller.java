package org.mailcert.controller.daemon;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.health.v1.HealthCheckResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.api.AdminGrpcService;
import org.mailcert.controller.api.AgentGrpcService;
import org.mailcert.controller.enroll.EnrollmentService;
import org.mailcert.controller.sync.DesiredStates;
import org.mailcert.controller.sync.SyncHub;
import java.util.concurrent.ScheduledExecutorService;
import org.mailcert.controller.auth.AdminTokens;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.bindings.BindingService;
import org.mailcert.controller.certs.CertificateInspector;
import org.mailcert.controller.certs.CertificateService;
import org.mailcert.controller.clients.ClientSettingsService;
import org.mailcert.controller.drift.DriftService;
import org.mailcert.controller.events.EventFeed;
import org.mailcert.controller.events.EventRetention;
import org.mailcert.controller.hosts.HostService;
import org.mailcert.controller.issuers.AcmeCounters;
import org.mailcert.controller.issuers.AcmeWiring;
import org.mailcert.controller.issuers.IssuerService;
import org.mailcert.controller.issuers.RenewalPolicy;
import org.mailcert.controller.issuers.BundleService;
import org.mailcert.controller.issuers.RenewalScheduler;
import org.mailcert.controller.issuers.RequestService;
import java.security.SecureRandom;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.store.MasterKey;
import org.mailcert.controller.store.RocksStore;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running controller: store, services, the gRPC server and the metrics endpoint, wired
 * together. {@link #close()} stops them in reverse order.
 */
public final class Controller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final Store store;
    private final Server server;
    private final MetricsServer metrics;
    private final ExecutorService feedExecutor;
    private final ScheduledExecutorService syncExecutor;
    private final SyncHub hub;
    private final HealthStatusManager health;
    private final DataDir dataDir;
    private final RenewalScheduler renewals;
    private final ExecutorService acmeExecutor;

    /** The shortest interval between two updates to one agent; changes within it are coalesced. */
    static final long SYNC_DEBOUNCE_MILLIS = 5;
    /** How many agent streams may compute their first (full) state at once. */
    static final int MAX_CONCURRENT_SETUPS = 16;
    /** How long {@link #close()} waits for interrupted ACME orders before closing the store. */
    static final java.time.Duration ACME_STOP_WAIT = java.time.Duration.ofSeconds(10);

    private Controller(Store store, Server server, MetricsServer metrics, ExecutorService feedExecutor,
            ScheduledExecutorService syncExecutor, SyncHub hub, HealthStatusManager health, DataDir dataDir,
            RenewalScheduler renewals, ExecutorService acmeExecutor) {
        this.renewals = renewals;
        this.acmeExecutor = acmeExecutor;
        this.store = store;
        this.server = server;
        this.metrics = metrics;
        this.feedExecutor = feedExecutor;
        this.syncExecutor = syncExecutor;
        this.hub = hub;
        this.health = health;
        this.dataDir = dataDir;
    }

    /**
     * The shortest keepalive interval the controller permits agents, and the shortest it uses
     * itself: gRPC raises any shorter interval to 10 s on clients and servers, so any agent setting
     * is accepted and none is sent GOAWAY for "too many pings".
     */
    static final java.time.Duration PERMIT_KEEPALIVE = java.time.Duration.ofSeconds(10);

    /**
     * The largest message the controller accepts: a drift report of a host with 5,000 domains whose
     * every binding is failing is about 4 MB, above gRPC's default of 4 MiB (desired state goes the
     * other way, in pages under 1 MiB).
     */
    static final int MAX_INBOUND_BYTES = 16 * 1024 * 1024;

    /** A Netty server builder for {@code address} with the default keepalive ({@link ControllerConfig.Keepalive#DEFAULT}). */
    public static ServerBuilder<?> netty(java.net.SocketAddress address, io.grpc.ServerCredentials credentials) {
        return netty(address, credentials, ControllerConfig.Keepalive.DEFAULT);
    }

    /**
     * A Netty server builder for {@code address} whose keepalive settings agree with the agents':
     * agents ping every 30 s by default, the server permits pings every {@link #PERMIT_KEEPALIVE},
     * and pings quiet agents itself to find dead peers.
     */
    static ServerBuilder<?> netty(java.net.SocketAddress address, io.grpc.ServerCredentials credentials,
            ControllerConfig.Keepalive keepalive) {
        return io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(address, credentials)
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .permitKeepAliveTime(PERMIT_KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(keepalive.time().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(keepalive.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens (or at first start creates) the data dir and serves. {@code serverBuilder} turns the TLS
     * credentials into a server builder, so a test can bind elsewhere; null means the configured address.
     */
    static Controller start(ControllerConfig config, Clock clock,
            Function<io.grpc.ServerCredentials, ServerBuilder<?>> serverBuilder) throws ControllerException, IOException {
        return start(config, clock, serverBuilder, AcmeWiring.unavailable());
    }

    /**
     * As {@link #start(ControllerConfig, Clock, Function)}, ordering certificates through {@code acme}
     * (the CA client, DNS-01 solvers and propagation check of the {@code acme} package).
     */
    static Controller start(ControllerConfig config, Clock clock,
            Function<io.grpc.ServerCredentials, ServerBuilder<?>> serverBuilder, AcmeWiring acme)
            throws ControllerException, IOException {
        return start(config, clock, serverBuilder, acme, RenewalScheduler.TICK);
    }

    /**
     * As {@link #start(ControllerConfig, Clock, Function, AcmeWiring)}, looking for due renewals every
     * {@code renewalTick} (a test that moves its clock need not wait {@link RenewalScheduler#TICK}).
     */
    static Controller start(ControllerConfig config, Clock clock,
            Function<io.grpc.ServerCredentials, ServerBuilder<?>> serverBuilder, AcmeWiring acme,
            java.time.Duration renewalTick) throws ControllerException, IOException {
        DataDir dir = DataDir.create(config.dataDir());
        if (Files.exists(dir.store().resolve("CURRENT")) && !Files.exists(dir.masterKey())) {
            throw ControllerException.internal(dir.masterKey() + " is missing but " + dir.store() + " exists;"
                    + " restore master.key from the backup made with the store (a new key cannot open it)", null);
        }
        Store store = RocksStore.open(dir.store(), MasterKey.loadOrCreate(dir.masterKey()), clock);
        try {
            ControllerIdentity identity = ControllerIdentity.loadOrCreate(store, dir, config.names(), config.ips(), clock);
            AdminTokens adminTokens = new AdminTokens(store);
            writeFirstAdminToken(adminTokens, dir);

            CertificateInspector inspector = new CertificateInspector(trustChecker(config), clock);
            ScheduledExecutorService syncExecutor = Executors.newScheduledThreadPool(2, daemonThreads("sync"));
            SyncHub hub = new SyncHub(store, new DesiredStates(store), syncExecutor, SYNC_DEBOUNCE_MILLIS,
                    MAX_CONCURRENT_SETUPS, config.pageBytes());
            BindingService bindings = new BindingService(store, inspector, hub);
            ExecutorService feedExecutor = Executors.newCachedThreadPool(daemonThreads("event-feed"));
            EventFeed events = new EventFeed(store, feedExecutor);
            EventRetention retention = new EventRetention(store, clock, config.eventLog());
            DriftService drift = new DriftService(store, hub::connected, clock);
            CertificateService certificates = new CertificateService(store, inspector, bindings, hub);
            IssuerService issuers = new IssuerService(store, acme.ca());
            AcmeCounters acmeCounters = new AcmeCounters();
            RenewalPolicy policy = new RenewalPolicy(new SecureRandom());
            RequestService requests = new RequestService(store, issuers, acme.ca(), acme.solvers(), certificates,
                    policy, acmeCounters, clock);
            ExecutorService acmeExecutor = Executors.newFixedThreadPool(RenewalScheduler.MAX_CONCURRENT,
                    daemonThreads("acme-renewal"));
            RenewalScheduler renewals = new RenewalScheduler(store, requests, issuers, acme.ca(), policy, clock,
                    acmeExecutor, RenewalScheduler.MAX_CONCURRENT);
            AdminGrpcService admin = new AdminGrpcService(
                    new HostService(store, identity.caSha256(), hub::connected, hub),
                    certificates,
                    bindings,
                    new ClientSettingsService(store, inspector),
                    events,
                    adminTokens,
                    new org.mailcert.controller.bindings.BindingStates(store),
                    drift,
                    issuers,
                    requests,
                    new BundleService(store, requests, bindings));
            AgentGrpcService agents = new AgentGrpcService(
                    new EnrollmentService(store, identity.ca(), config.agentCertificateLifetime()), hub);

            // One port for admins (bearer token, no client certificate) and agents (client
            // certificate from the controller CA): client authentication is optional at the TLS
            // layer and required per service by the interceptors.
            var credentials = TlsServerCredentials.newBuilder()
                    .keyManager(new ByteArrayInputStream(identity.serverChainPem()),
                            new ByteArrayInputStream(identity.serverKeyPem()))
                    .trustManager(new ByteArrayInputStream(identity.caPem()))
                    .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                    .build();
            HealthStatusManager health = new HealthStatusManager();
            ServerBuilder<?> builder = serverBuilder.apply(credentials);
            Server server = builder
                    .addService(admin.withAuth())
                    .addService(agents.withAuth())
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .build()
                    .start();
            health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);

            MetricsServer metrics = null;
            if (config.metricsListen().isPresent()) {
                metrics = MetricsServer.start(config.metricsListen().get(), () -> true,
                        () -> new ControllerMetrics(store, hub, drift, acmeCounters, retention::pruned).render());
            }
            log.info("controller serving on port {} (data dir {}, store revision {})", server.getPort(), dir.root(),
                    store.revision());
            renewals.start(syncExecutor, renewalTick);
            retention.start(syncExecutor);
            return new Controller(store, server, metrics, feedExecutor, syncExecutor, hub, health, dir, renewals,
                    acmeExecutor);
        } catch (ControllerException | IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static void writeFirstAdminToken(AdminTokens tokens, DataDir dir) throws ControllerException, IOException {
        if (tokens.any()) {
            return;
        }
        String token = AdminTokens.newToken();
        // File first: if we die before the store write, the next start makes a new token and file.
        AtomicFiles.write(dir.adminToken(), (token + "\n").getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
        tokens.create(Caller.CONTROLLER, "admin", Role.ADMIN, token);
        log.info("wrote the first admin token to {}", dir.adminToken());
    }

    private static TrustChecker trustChecker(ControllerConfig config) throws ControllerException, IOException {
        if (config.extraRoots().isEmpty()) {
            return TrustChecker.withJdkRoots();
        }
        Path file = config.extraRoots().get();
        try {
            List<X509Certificate> roots = Pem.readCertificates(Files.readAllBytes(file));
            return new TrustChecker(roots);
        } catch (BadMaterialException e) {
            throw ControllerException.invalid("extra-roots " + file + ": " + e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Whether a host's agent has a live stream (for tests and metrics). */
    public boolean connected(String host) {
        return hub.connected(host);
    }

    /** The gRPC port actually bound. */
    public int port() {
        return server.getPort();
    }

    /** The metrics port actually bound, or -1 when disabled. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.address().getPort();
    }

    /** The data directory in use. */
    public Path dataDir() {
        return dataDir.root();
    }

    /** Blocks until the server terminates. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        health.enterTerminalState();
        renewals.close();
        hub.closeAll();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (metrics != null) {
            metrics.close();
        }
        feedExecutor.shutdownNow();
        syncExecutor.shutdownNow();
        acmeExecutor.shutdownNow();
        try {
            // An order in flight is interrupted; let it record that before the store closes.
            if (!acmeExecutor.awaitTermination(ACME_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("an ACME order did not stop within {}; its attempt is not recorded", ACME_STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        log.info("controller stopped");
    }
}
