package org.mailcert.controller.daemon;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.cli.BearerToken;
import org.mailcert.controller.testing.MutableClock;
import org.mailcert.proto.v1.AdminServiceGrpc;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.AppliedBinding;
import org.mailcert.proto.v1.Ack;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.ControllerMessage;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.EnrollRequest;
import org.mailcert.proto.v1.EnrollResponse;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.Hello;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.Material;
import org.mailcert.proto.v1.Nack;
import org.mailcert.proto.v1.RenewRequest;
import org.mailcert.proto.v1.RevokeHostRequest;
import org.mailcert.proto.v1.Scope;
import org.mailcert.proto.v1.UnbindRequest;

/**
 * The controller's agent API over real loopback TLS and mTLS, driven by a scripted agent:
 * enrollment and its token rules, the Sync stream (own state only, deltas, paging, Ack/Nack,
 * resume), revocation and two-phase certificate renewal.
 */
class AgentSyncIT {
    private static final String H1 = "mx1.example.net";
    private static final String H2 = "mx2.example.net";
    private static final int PAGE_BYTES = 64 * 1024;

    @TempDir
    Path tmp;
    MutableClock clock = new MutableClock(java.time.Instant.now());
    TestPki pki = TestPki.rootCa("Sync Root");
    Controller controller;
    ManagedChannel adminChannel;
    AdminServiceGrpc.AdminServiceBlockingStub admin;
    final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path roots = tmp.resolve("roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(pki.root())));
        startController(roots);
        importAndBind("c1", H1, "mail", "one.example.com", pki.leaf(H1, "mail.one.example.com").issue());
        importAndBind("c2", H2, "mail", "two.example.com", pki.leaf(H2, "mail.two.example.com").issue());
        admin.bind(BindRequest.newBuilder().setHost(H1).setScope(Scope.SCOPE_SERVER).setCertificate("c1").build());
        admin.bind(BindRequest.newBuilder().setHost(H2).setScope(Scope.SCOPE_SERVER).setCertificate("c2").build());
    }

    private void startController(Path roots) throws Exception {
        ControllerConfig cfg = new ControllerConfig(tmp.resolve("controller"), new InetSocketAddress("127.0.0.1", 0),
                List.of("localhost"), List.of("127.0.0.1"), Optional.empty(), Optional.of(roots), Duration.ofDays(7),
                PAGE_BYTES, ControllerConfig.Keepalive.DEFAULT,
                org.mailcert.controller.events.EventRetention.Limits.DEFAULT);
        controller = Controller.start(cfg, clock, creds -> Controller.netty(cfg.listen(), creds));
        adminChannel = channel(null);
        admin = AdminServiceGrpc.newBlockingStub(adminChannel).withCallCredentials(new BearerToken(
                Files.readString(tmp.resolve("controller/admin.token")).trim())).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (controller != null) {
            controller.close();
        }
    }

    private void importAndBind(String name, String host, String scope, String domain, TestPki.Leaf leaf) {
        admin.createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(host).build());
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName(name)
                .setChainPem(ByteString.copyFromUtf8(leaf.combinedPem())).build());
        admin.bind(BindRequest.newBuilder().setHost(host).setScope(Scope.SCOPE_MAIL).setDomain(domain)
                .setCertificate(name).build());
    }

    /** A TLS channel trusting the controller CA, with a client identity when given. */
    private ManagedChannel channel(Identity identity) throws Exception {
        var b = TlsChannelCredentials.newBuilder().trustManager(tmp.resolve("controller/ca.pem").toFile());
        if (identity != null) {
            b.keyManager(new ByteArrayInputStream(identity.certPem.getBytes(US_ASCII)),
                    new ByteArrayInputStream(Pem.privateKey(identity.keys.getPrivate()).getBytes(US_ASCII)));
        }
        ManagedChannel c = Grpc.newChannelBuilderForAddress("localhost", controller.port(), b.build()).build();
        channels.add(c);
        return c;
    }

    record Identity(KeyPair keys, String certPem) {
    }

    private String token(String host) {
        return admin.createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(host).build()).getToken();
    }

    private Identity enroll(String token) throws Exception {
        KeyPair keys = Keys.generate(Keys.KeyType.EC256);
        EnrollResponse r = AgentServiceGrpc.newBlockingStub(channel(null)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .enroll(EnrollRequest.newBuilder().setToken(token)
                        .setCsr(ByteString.copyFrom(Csrs.create(keys, "ignored-subject"))).build());
        return new Identity(keys, r.getCertificatePem());
    }

    /** A scripted agent stream. */
    final class Stream implements StreamObserver<ControllerMessage> {
        final BlockingQueue<ControllerMessage> received = new LinkedBlockingQueue<>();
        volatile Throwable error;
        final StreamObserver<AgentMessage> out;

        Stream(Identity identity) throws Exception {
            out = AgentServiceGrpc.newStub(channel(identity)).sync(this);
        }

        Stream hello(String host, long applied, List<AppliedBinding> bindings, Set<String> held) {
            return hello(host, applied, bindings, held, org.mailcert.proto.v1.HostFacts.getDefaultInstance());
        }

        Stream hello(String host, long applied, List<AppliedBinding> bindings, Set<String> held,
                org.mailcert.proto.v1.HostFacts facts) {
            out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHost(host).setAgentVersion("test")
                    .setFacts(facts).setAppliedVersion(applied).addAllApplied(bindings).addAllHeldSha256(held)).build());
            return this;
        }

        /** The pages of the next update, in order. */
        List<DesiredState> update() throws InterruptedException {
            List<DesiredState> pages = new ArrayList<>();
            while (true) {
                ControllerMessage m = received.poll(20, TimeUnit.SECONDS);
                assertNotNull(m, "no update within 20 s" + (error == null ? "" : ": " + error));
                if (m.hasState()) {
                    pages.add(m.getState());
                    if (m.getState().getLast()) {
                        return pages;
                    }
                }
            }
        }

        void ack(DesiredState s) {
            out.onNext(AgentMessage.newBuilder().setAck(Ack.newBuilder().setVersion(s.getVersion())
                    .setNonce(s.getNonce())).build());
        }

        void report(org.mailcert.proto.v1.DriftReport r) {
            out.onNext(AgentMessage.newBuilder().setReport(r).build());
        }

        Status awaitError() throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (error == null && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertNotNull(error, "stream was not closed");
            return Status.fromThrowable(error);
        }

        @Override
        public void onNext(ControllerMessage value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            error = new IllegalStateException("completed");
        }
    }

    private static List<DesiredBinding> upserts(List<DesiredState> pages) {
        return pages.stream().flatMap(p -> p.getUpsertedList().stream()).toList();
    }

    private static List<Material> materials(List<DesiredState> pages) {
        return pages.stream().flatMap(p -> p.getMaterialsList().stream()).toList();
    }

    @Test
    void anEnrolledAgentReceivesExactlyItsOwnStateAndAcks() throws Exception {
        Identity a = enroll(token(H1));
        Stream s = new Stream(a).hello(H1, 0, List.of(), Set.of());
        List<DesiredState> update = s.update();
        Set<String> ids = new HashSet<>();
        upserts(update).forEach(b -> ids.add(b.getId()));
        assertEquals(Set.of("server", "mail/one.example.com"), ids);
        List<Material> mats = materials(update);
        assertEquals(1, mats.size(), "one certificate serves both bindings: its material is sent once");
        String all = update.toString();
        assertFalse(all.contains("two.example.com") || all.contains(H2), "agent A saw host B's state");
        var material = MaterialReader.readPem((mats.get(0).getChainPem() + mats.get(0).getKeyPem()).getBytes(US_ASCII), null);
        assertTrue(Keys.matches(material.key().orElseThrow(), material.chain().get(0)));

        s.ack(update.get(0));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        var host = admin.getHost(GetHostRequest.newBuilder().setHost(H1).build()).getHost();
        while (host.getAppliedVersion() != host.getDesiredVersion() && System.nanoTime() < end) {
            Thread.sleep(20);
            host = admin.getHost(GetHostRequest.newBuilder().setHost(H1).build()).getHost();
        }
        assertEquals(host.getDesiredVersion(), host.getAppliedVersion());
        assertTrue(host.getConnected());
        assertEquals(update.get(0).getVersion(), host.getDesiredVersion());
        var states = admin.listBindings(org.mailcert.proto.v1.ListBindingsRequest.newBuilder().setHost(H1).build())
                .getBindingsList().stream().map(org.mailcert.proto.v1.Binding::getState).distinct().toList();
        assertEquals(List.of("installed"), states);
        var other = admin.listBindings(org.mailcert.proto.v1.ListBindingsRequest.newBuilder().setHost(H2).build())
                .getBindingsList().stream().map(org.mailcert.proto.v1.Binding::getState).distinct().toList();
        assertEquals(List.of("pending"), other);
    }

    private static org.mailcert.proto.v1.ServiceFacts service(String software, String version, boolean sni,
            String service, int port) {
        return org.mailcert.proto.v1.ServiceFacts.newBuilder().setSoftware(software).setVersion(version)
                .setPerDomainSni(sni).addEndpoints(org.mailcert.proto.v1.ServiceEndpoint.newBuilder()
                        .setService(service).setPort(port)).build();
    }

    private org.mailcert.proto.v1.Host awaitHost(String host, java.util.function.Predicate<org.mailcert.proto.v1.Host> until)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        var h = admin.getHost(GetHostRequest.newBuilder().setHost(host).build()).getHost();
        while (!until.test(h) && System.nanoTime() < end) {
            Thread.sleep(20);
            h = admin.getHost(GetHostRequest.newBuilder().setHost(host).build()).getHost();
        }
        assertTrue(until.test(h), "GetHost never showed what the agent sent: " + h);
        return h;
    }

    @Test
    void theFactsOfEachHelloShowUpInGetHostAndDecideWhetherMailBindingsAreAccepted() throws Exception {
        Identity a = enroll(token(H1));
        var postfixDovecot = org.mailcert.proto.v1.HostFacts.newBuilder().setOs("Linux").setAgentVersion("test")
                .putSoftware("postfix", "3.7.11").putSoftware("dovecot", "2.3.19")
                .setSni(org.mailcert.proto.v1.SniSupport.SNI_SUPPORT_YES)
                .addServices(service("postfix", "3.7.11", true, "submission", 587))
                .addServices(service("dovecot", "2.3.19", true, "imaps", 993))
                .addDomains("one.example.com").addDomains("three.example.com").addDomains("Four.Example.COM").build();
        Stream first = new Stream(a).hello(H1, 0, List.of(), Set.of(), postfixDovecot);
        first.update();
        var host = awaitHost(H1, h -> h.getDiscoveredDomainsCount() == 3);
        assertEquals(List.of("four.example.com", "one.example.com", "three.example.com"), host.getDiscoveredDomainsList());
        assertEquals(List.of("four.example.com", "three.example.com"), host.getUncoveredDomainsList(),
                "one.example.com has a MAIL binding; the others neither that nor server-certificate coverage");
        assertEquals(postfixDovecot.getServicesList(), host.getFacts().getServicesList());
        assertEquals(org.mailcert.proto.v1.SniSupport.SNI_SUPPORT_YES, host.getFacts().getSni());
        importAndBind("c3", H1, "mail", "three.example.com", pki.leaf("mail.three.example.com").issue());
        assertEquals(List.of("four.example.com"), admin.getHost(GetHostRequest.newBuilder().setHost(H1).build())
                .getHost().getUncoveredDomainsList(), "a MAIL binding covers three.example.com now");

        // The host is rebuilt with qmail: the next stream's Hello says so, and MAIL bindings are refused.
        var qmail = org.mailcert.proto.v1.HostFacts.newBuilder().setOs("Linux").setAgentVersion("test")
                .putSoftware("qmail", "1.03").setSni(org.mailcert.proto.v1.SniSupport.SNI_SUPPORT_NO)
                .addServices(service("qmail", "1.03", false, "smtps", 465)).addDomains("four.example.com").build();
        new Stream(a).hello(H1, 0, List.of(), Set.of(), qmail);
        host = awaitHost(H1, h -> h.getFacts().getSni() == org.mailcert.proto.v1.SniSupport.SNI_SUPPORT_NO);
        assertEquals(List.of("four.example.com"), host.getDiscoveredDomainsList());
        assertEquals(List.of("qmail"), host.getFacts().getServicesList().stream()
                .map(org.mailcert.proto.v1.ServiceFacts::getSoftware).toList());
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName("c4")
                .setChainPem(ByteString.copyFromUtf8(pki.leaf("mail.four.example.com").issue().combinedPem())).build());
        var refused = assertThrows(StatusRuntimeException.class, () -> admin.bind(BindRequest.newBuilder().setHost(H1)
                .setScope(Scope.SCOPE_MAIL).setDomain("four.example.com").setCertificate("c4").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("qmail 1.03 serves only the server-wide certificate"),
                refused.getStatus().getDescription());
        assertTrue(refused.getStatus().getDescription().contains("have clients of four.example.com use " + H1),
                refused.getStatus().getDescription());
    }

    private static org.mailcert.proto.v1.DriftItem item(String subject, String reason, String target,
            org.mailcert.proto.v1.DriftAction action) {
        return org.mailcert.proto.v1.DriftItem.newBuilder().setSubject(subject).setReason(reason).setTarget(target)
                .setAction(action).setMessage(reason + " seen by " + target)
                .setSince(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_800_000_000L)).build();
    }

    private List<org.mailcert.proto.v1.Event> driftEvents(String host) {
        return admin.listEvents(ListEventsRequest.newBuilder().setHost(host).build()).getEventsList().stream()
                .filter(e -> e.getKind().startsWith("drift.")).toList();
    }

    @Test
    void aDriftReportOverTheStreamShowsInDriftHostBindingsAndEvents() throws Exception {
        Stream s = new Stream(enroll(token(H1))).hello(H1, 0, List.of(), Set.of());
        List<DesiredState> update = s.update();
        s.ack(update.get(0));
        long version = update.get(0).getVersion();
        String sha = upserts(update).stream().filter(b -> b.getId().equals("mail/one.example.com")).findFirst()
                .orElseThrow().getLeafSha256();
        var served = org.mailcert.proto.v1.Condition.newBuilder().setType("Served").setStatus("True")
                .setReason("Served").setObservedVersion(version);
        var missing = item("server", "FileMissing", "postfix", org.mailcert.proto.v1.DriftAction.DRIFT_ACTION_WOULD_CHANGE);
        var report = org.mailcert.proto.v1.DriftReport.newBuilder()
                .setAppliedVersion(version)
                .setMode(org.mailcert.proto.v1.DriftMode.DRIFT_MODE_REPORT)
                .setOutcome(org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_WOULD_CHANGE)
                .setTrigger("apply")
                .addBindings(org.mailcert.proto.v1.BindingConditions.newBuilder().setId("mail/one.example.com")
                        .setLeafSha256(sha).addConditions(served))
                .addItems(missing)
                .build();
        s.report(report);

        var host = awaitHost(H1, h -> h.hasLastReport());
        assertEquals("drifting", host.getSyncState());
        assertEquals(org.mailcert.proto.v1.DriftMode.DRIFT_MODE_REPORT, host.getMode());
        assertEquals(1, host.getDriftItems());
        var detail = admin.getHost(GetHostRequest.newBuilder().setHost(H1).build());
        assertEquals(List.of(missing), detail.getDriftList());
        assertEquals(report.getBindingsList(), detail.getBindingConditionsList());
        var drift = admin.listDrift(org.mailcert.proto.v1.ListDriftRequest.newBuilder().setHost(H1).build())
                .getItemsList();
        assertEquals(1, drift.size());
        assertEquals(H1, drift.get(0).getHost());
        assertEquals(missing, drift.get(0).getItem());
        assertTrue(admin.listDrift(org.mailcert.proto.v1.ListDriftRequest.newBuilder().setHost(H2).build())
                .getItemsList().isEmpty(), "H1's report is H1's alone");
        var states = new java.util.TreeMap<String, String>();
        admin.listBindings(org.mailcert.proto.v1.ListBindingsRequest.newBuilder().setHost(H1).build()).getBindingsList()
                .forEach(b -> states.put(b.getServedName(), b.getState()));
        assertEquals(java.util.Map.of("mail.one.example.com", "served", H1, "installed"), states);
        assertEquals(List.of("drift.detected"), driftEvents(H1).stream().map(org.mailcert.proto.v1.Event::getKind)
                .toList());

        // The same report again (as after a reconnect) is no news; a repair in enforce mode is.
        s.report(report.toBuilder().setTrigger("start").build());
        var repaired = report.toBuilder().setMode(org.mailcert.proto.v1.DriftMode.DRIFT_MODE_ENFORCE)
                .setOutcome(org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_CORRECTIVE_CHANGE)
                .setItems(0, missing.toBuilder().setAction(org.mailcert.proto.v1.DriftAction.DRIFT_ACTION_REPAIRED))
                .build();
        s.report(repaired);
        host = awaitHost(H1, h -> h.getLastOutcome() == org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_CORRECTIVE_CHANGE);
        assertEquals("in_sync", host.getSyncState());
        assertEquals(0, host.getDriftItems());
        var kinds = driftEvents(H1).stream().map(org.mailcert.proto.v1.Event::getKind).toList();
        assertEquals(List.of("drift.detected", "drift.repaired"), kinds);
        var event = driftEvents(H1).get(1);
        assertEquals("agent:" + H1, event.getActor());
        assertEquals("server", event.getSubject());
        var fleet = admin.getFleetStatus(org.mailcert.proto.v1.GetFleetStatusRequest.getDefaultInstance());
        assertEquals(1, fleet.getConnected());
        assertEquals(1, fleet.getInSync());
    }

    @Test
    void aBurstOfChangesWaitsForTheAckAndArrivesAsOneUpdate() throws Exception {
        Stream s = new Stream(enroll(token(H1))).hello(H1, 0, List.of(), Set.of());
        List<DesiredState> first = s.update();
        String[] names = new String[5];
        for (int i = 0; i < 5; i++) {
            names[i] = "mail.b" + i + ".example.com";
        }
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName("burst")
                .setChainPem(ByteString.copyFromUtf8(pki.leaf(names).issue().combinedPem())).build());
        for (int i = 0; i < 5; i++) {
            admin.bind(BindRequest.newBuilder().setHost(H1).setScope(Scope.SCOPE_MAIL).setDomain("b" + i + ".example.com")
                    .setCertificate("burst").build());
        }
        // The first update is not acknowledged yet: nothing more may be sent.
        assertEquals(null, s.received.poll(300, TimeUnit.MILLISECONDS));
        s.ack(first.get(0));
        List<DesiredState> next = s.update();
        assertEquals(5, upserts(next).size(), "the whole burst in one update");
        assertEquals(null, s.received.poll(300, TimeUnit.MILLISECONDS), "only one update for the burst");
    }

    @Test
    void aStalledStreamBlocksNeitherWritesNorOtherStreams() throws Exception {
        // H2's agent says Hello and then never reads: no flow-control credit is ever granted.
        Identity b = enroll(token(H2));
        var stalled = AgentServiceGrpc.newStub(channel(b)).sync(new io.grpc.stub.ClientResponseObserver<AgentMessage,
                ControllerMessage>() {
            @Override
            public void beforeStart(io.grpc.stub.ClientCallStreamObserver<AgentMessage> request) {
                request.disableAutoRequestWithInitial(0);
            }

            @Override
            public void onNext(ControllerMessage value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        stalled.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHost(H2)).build());
        Stream a = new Stream(enroll(token(H1))).hello(H1, 0, List.of(), Set.of());
        a.ack(a.update().get(0));
        for (int i = 0; i < 20; i++) {
            String d = "s" + i + ".example.net";
            admin.importCertificate(ImportCertificateRequest.newBuilder().setName("s" + i)
                    .setChainPem(ByteString.copyFromUtf8(pki.leaf("mail." + d).issue().combinedPem())).build());
            admin.bind(BindRequest.newBuilder().setHost(H2).setScope(Scope.SCOPE_MAIL).setDomain(d).setCertificate("s" + i)
                    .build());
        }
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName("c1").setNewVersion(true)
                .setChainPem(ByteString.copyFromUtf8(pki.leaf(H1, "mail.one.example.com").issue().combinedPem())).build());
        List<DesiredState> update = a.update();
        assertEquals(2, upserts(update).size(), "H1 got its renewal while H2's stream is stalled");
    }

    @Test
    void aHelloClaimingAnotherHostIsRefused() throws Exception {
        Stream s = new Stream(enroll(token(H1))).hello(H2, 0, List.of(), Set.of());
        assertEquals(Status.Code.PERMISSION_DENIED, s.awaitError().getCode());
        assertTrue(s.received.stream().noneMatch(ControllerMessage::hasState), "state sent before the check");
    }

    @Test
    void aTokenWorksOnceEvenWhenTwoEnrollmentsRace() throws Exception {
        String token = token(H1);
        var pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Identity>> tries = List.of(pool.submit(() -> enroll(token)), pool.submit(() -> enroll(token)));
            int ok = 0;
            int refused = 0;
            for (Future<Identity> f : tries) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    ok++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(e.getCause()).getCode());
                    refused++;
                }
            }
            assertEquals(1, ok);
            assertEquals(1, refused);
        } finally {
            pool.shutdownNow();
        }
        var again = assertThrows(StatusRuntimeException.class, () -> enroll(token));
        assertTrue(again.getStatus().getDescription().contains("already used"), again.getStatus().getDescription());
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String token = admin.createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(H1).setTtlSeconds(60).build())
                .getToken();
        clock.advance(Duration.ofMinutes(2));
        var e = assertThrows(StatusRuntimeException.class, () -> enroll(token));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("expired"), e.getStatus().getDescription());
    }

    @Test
    void changesArriveAsDeltasAndANackKeepsTheAppliedVersion() throws Exception {
        Stream s = new Stream(enroll(token(H1))).hello(H1, 0, List.of(), Set.of());
        List<DesiredState> first = s.update();
        s.ack(first.get(0));

        // c1 does not cover webmail.one.example.com: refused, nothing sent. Import one that does.
        assertThrows(StatusRuntimeException.class, () -> admin.bind(BindRequest.newBuilder().setHost(H1)
                .setScope(Scope.SCOPE_WEBMAIL).setDomain("one.example.com").setCertificate("c1").build()));
        assertTrue(s.received.isEmpty());
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName("w1")
                .setChainPem(ByteString.copyFromUtf8(pki.leaf("webmail.one.example.com").issue().combinedPem())).build());
        admin.bind(BindRequest.newBuilder().setHost(H1).setScope(Scope.SCOPE_WEBMAIL).setDomain("one.example.com")
                .setCertificate("w1").build());
        List<DesiredState> delta = s.update();
        assertFalse(delta.get(0).getFull());
        assertEquals(List.of("webmail/one.example.com"), upserts(delta).stream().map(DesiredBinding::getId).toList());
        assertEquals(1, materials(delta).size(), "only the new certificate's material");
        long applied = first.get(0).getVersion();

        s.out.onNext(AgentMessage.newBuilder().setNack(Nack.newBuilder().setVersion(delta.get(0).getVersion())
                .setNonce(delta.get(0).getNonce()).setMessage("nginx -t failed")).build());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        var host = admin.getHost(GetHostRequest.newBuilder().setHost(H1).build()).getHost();
        while (host.getLastError().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
            host = admin.getHost(GetHostRequest.newBuilder().setHost(H1).build()).getHost();
        }
        assertTrue(host.getLastError().contains("nginx -t failed"), host.getLastError());
        assertEquals(applied, host.getAppliedVersion());
        assertTrue(admin.listEvents(ListEventsRequest.newBuilder().setHost(H1).build()).getEventsList().stream()
                .anyMatch(e -> e.getKind().equals("state.rejected")));
        var webmail = admin.listBindings(org.mailcert.proto.v1.ListBindingsRequest.newBuilder().setHost(H1).build())
                .getBindingsList().stream().filter(b -> b.getScope() == Scope.SCOPE_WEBMAIL).findFirst().orElseThrow();
        assertEquals("failed", webmail.getState());

        admin.unbind(UnbindRequest.newBuilder().setHost(H1).setScope(Scope.SCOPE_WEBMAIL).setDomain("one.example.com")
                .build());
        List<DesiredState> removal = s.update();
        assertTrue(removal.get(0).getRemovedIdsList().isEmpty(), "the agent never applied webmail: nothing to remove");
        assertTrue(upserts(removal).isEmpty());
    }

    @Test
    void aReconnectWithTheAppliedStateResendsNothing() throws Exception {
        Identity a = enroll(token(H1));
        Stream s = new Stream(a).hello(H1, 0, List.of(), Set.of());
        List<DesiredState> first = s.update();
        s.ack(first.get(0));
        s.out.onCompleted();
        List<AppliedBinding> applied = upserts(first).stream()
                .map(b -> AppliedBinding.newBuilder().setId(b.getId()).setLeafSha256(b.getLeafSha256()).build()).toList();
        Set<String> held = new HashSet<>();
        materials(first).forEach(m -> held.add(m.getLeafSha256()));

        controller.close();
        startController(tmp.resolve("roots.pem"));
        Stream again = new Stream(a).hello(H1, first.get(0).getVersion(), applied, held);
        List<DesiredState> resumed = again.update();
        assertEquals(first.get(0).getVersion(), resumed.get(0).getVersion());
        assertTrue(upserts(resumed).isEmpty() && materials(resumed).isEmpty() && resumed.get(0).getRemovedIdsCount() == 0);
        int resume = resumed.stream().mapToInt(DesiredState::getSerializedSize).sum();
        assertTrue(resume < 64, "a resume with nothing changed sent " + resume + " bytes (version and nonce only)");
    }

    @Test
    void largeStatesArePaged() throws Exception {
        List<BindRequest> binds = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String d = "d" + i + ".example.org";
            admin.importCertificate(ImportCertificateRequest.newBuilder().setName("p" + i)
                    .setChainPem(ByteString.copyFromUtf8(pki.leaf("mail." + d).issue().combinedPem())).build());
            binds.add(BindRequest.newBuilder().setHost(H1).setScope(Scope.SCOPE_MAIL).setDomain(d).setCertificate("p" + i)
                    .build());
        }
        binds.forEach(admin::bind);
        Stream s = new Stream(enroll(token(H1))).hello(H1, 0, List.of(), Set.of());
        List<DesiredState> pages = s.update();
        assertTrue(pages.size() >= 2, "expected several pages, got " + pages.size());
        for (int i = 0; i < pages.size(); i++) {
            assertEquals(i, pages.get(i).getPage());
            assertEquals(pages.get(0).getNonce(), pages.get(i).getNonce());
            assertEquals(i == pages.size() - 1, pages.get(i).getLast());
            assertTrue(pages.get(i).getSerializedSize() < PAGE_BYTES + 4096, "page " + i + " too large");
        }
        assertEquals(62, upserts(pages).size());
        assertEquals(61, materials(pages).size());
    }

    @Test
    void aRevokedHostIsCutOffAndCannotReconnect() throws Exception {
        Identity a = enroll(token(H1));
        Stream s = new Stream(a).hello(H1, 0, List.of(), Set.of());
        s.ack(s.update().get(0));
        admin.revokeHost(RevokeHostRequest.newBuilder().setHost(H1).build());
        assertEquals(Status.Code.PERMISSION_DENIED, s.awaitError().getCode());
        Stream again = new Stream(a).hello(H1, 0, List.of(), Set.of());
        assertEquals(Status.Code.PERMISSION_DENIED, again.awaitError().getCode());
        var e = assertThrows(StatusRuntimeException.class, () -> enroll(token(H1)));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    }

    @Test
    void renewalIsTwoPhase() throws Exception {
        Identity old = enroll(token(H1));
        Stream s = new Stream(old).hello(H1, 0, List.of(), Set.of());
        s.ack(s.update().get(0));
        KeyPair next = Keys.generate(Keys.KeyType.EC256);
        s.out.onNext(AgentMessage.newBuilder().setRenew(RenewRequest.newBuilder()
                .setCsr(ByteString.copyFrom(Csrs.create(next, "x")))).build());
        ControllerMessage m;
        do {
            m = s.received.poll(20, TimeUnit.SECONDS);
            assertNotNull(m, "no renewal answer");
        } while (!m.hasRenewed());
        Identity renewed = new Identity(next, m.getRenewed().getCertificatePem());

        // Phase one: both work.
        Stream withOld = new Stream(old).hello(H1, 0, List.of(), Set.of());
        withOld.update();
        // Phase two: the new one is used, the old one is retired.
        Stream withNew = new Stream(renewed).hello(H1, 0, List.of(), Set.of());
        withNew.update();
        Stream oldAgain = new Stream(old).hello(H1, 0, List.of(), Set.of());
        assertEquals(Status.Code.UNAUTHENTICATED, oldAgain.awaitError().getCode());
    }

    @Test
    void aSyncWithoutClientCertificateIsRefused() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        var out = AgentServiceGrpc.newStub(channel(null)).sync(new StreamObserver<>() {
            @Override
            public void onNext(ControllerMessage value) {
            }

            @Override
            public void onError(Throwable t) {
                errors.add(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHost(H1)).build());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (errors.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(errors.get(0)).getCode());
    }
}
