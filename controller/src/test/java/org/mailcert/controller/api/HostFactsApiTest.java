package org.mailcert.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.bindings.BindingStates;
import org.mailcert.controller.events.EventFeed;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.sync.AgentHello;
import org.mailcert.controller.sync.DesiredStates;
import org.mailcert.controller.sync.StateUpdate;
import org.mailcert.controller.sync.StreamSink;
import org.mailcert.controller.sync.SyncHub;
import org.mailcert.controller.sync.SyncSession;
import org.mailcert.controller.testing.Controllers;
import org.mailcert.proto.v1.AdminServiceGrpc;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.Host;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.ListHostsRequest;
import org.mailcert.proto.v1.ServiceEndpoint;
import org.mailcert.proto.v1.ServiceFacts;
import org.mailcert.proto.v1.SniSupport;

/**
 * Host facts from an agent's Hello to the admin API: mapped, recorded (discovered domains
 * included), persisted, and shown by GetHost with the domains that lack coverage.
 */
class HostFactsApiTest {
    private static final String HOST = "mx1.example.net";
    private static final HostFacts REPORTED = HostFacts.newBuilder()
            .setOs("Linux 6.1")
            .setAgentVersion("0.2.0")
            .putSoftware("postfix", "3.7.11")
            .putSoftware("dovecot", "2.3.19")
            .setSni(SniSupport.SNI_SUPPORT_YES)
            .addServices(ServiceFacts.newBuilder().setSoftware("postfix").setVersion("3.7.11").setPerDomainSni(true)
                    .addEndpoints(ServiceEndpoint.newBuilder().setService("smtp").setPort(25))
                    .addEndpoints(ServiceEndpoint.newBuilder().setService("submission").setPort(587))
                    .addProblems("tls_server_sni_maps is set by the admin"))
            .addServices(ServiceFacts.newBuilder().setSoftware("dovecot").setVersion("2.3.19").setPerDomainSni(true)
                    .addEndpoints(ServiceEndpoint.newBuilder().setService("imaps").setPort(993)))
            .addDomains("example.org")
            .addDomains("Example.COM")
            .addDomains("example.net")
            .addDomains("not a domain;rm -rf")
            .addProblems("courier: inspection failed: boom")
            .build();

    @TempDir
    Path dir;
    Controllers c;
    ScheduledExecutorService syncExecutor = Executors.newScheduledThreadPool(1);
    ExecutorService feed = Executors.newCachedThreadPool();
    SyncHub hub;
    Server server;
    ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        c.declareHost(HOST);
        hub = new SyncHub(c.store, new DesiredStates(c.store), syncExecutor, 10, 4, SyncSession.PAGE_BYTES);
        AdminGrpcService service = new AdminGrpcService(c.hosts, c.certificates, c.bindings, c.clientSettings,
                new EventFeed(c.store, feed), c.adminTokens, new BindingStates(c.store), c.drift);
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void tearDown() throws Exception {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        syncExecutor.shutdownNow();
        feed.shutdownNow();
        c.close();
    }

    private void hello(HostFacts facts) throws ControllerException {
        SyncSession s = hub.open(c.store.host(HOST).orElseThrow(), new StreamSink() {
            @Override
            public void send(StateUpdate page) {
            }

            @Override
            public void close(ControllerException reason) {
            }
        });
        hub.hello(s, new AgentHello(HOST, facts.getAgentVersion(), ProtoMapper.facts(facts), 0, Map.of(), Set.of()));
    }

    private Host awaitHost(java.util.function.Predicate<Host> until) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Host h = AdminServiceGrpc.newBlockingStub(channel)
                    .getHost(GetHostRequest.newBuilder().setHost(HOST).build()).getHost();
            if (until.test(h)) {
                return h;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("GetHost never showed the reported facts: " + h);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void factsTheAgentSendsComeBackNormalizedAndAnInvalidDomainBecomesAProblem() {
        HostFacts back = ProtoMapper.facts(ProtoMapper.facts(REPORTED));
        assertEquals(List.of("example.com", "example.net", "example.org"), back.getDomainsList());
        assertEquals(List.of("courier: inspection failed: boom",
                "the agent reported a domain that is not a host name: not a domain;rm -rf"), back.getProblemsList());
        assertEquals(REPORTED.getServicesList(), back.getServicesList());
        assertEquals(REPORTED.getSoftwareMap(), back.getSoftwareMap());
        assertEquals(SniSupport.SNI_SUPPORT_YES, back.getSni());
    }

    @Test
    void aHelloRecordsTheFactsAndDiscoveredDomainsAndGetHostShowsWhichLackCoverage() throws Exception {
        // Server certificate covers the host and mail.example.com; example.org gets a MAIL binding;
        // example.net has neither.
        c.importLeaf("server", c.pki.leaf(HOST, "mail.example.com").issue());
        c.importLeaf("org", c.pki.leaf("mail.example.org").issue());
        c.bindings.bind(Controllers.OPERATOR, HOST, Scope.SERVER, "", "server");
        c.bindings.bind(Controllers.OPERATOR, HOST, Scope.MAIL, "example.org", "org");

        hello(REPORTED);
        Host h = awaitHost(x -> x.getDiscoveredDomainsCount() > 0);
        assertEquals(List.of("example.com", "example.net", "example.org"), h.getDiscoveredDomainsList());
        assertEquals(List.of("example.net"), h.getUncoveredDomainsList());
        assertEquals(ProtoMapper.facts(ProtoMapper.facts(REPORTED)), h.getFacts());
        assertEquals(List.of("postfix", "dovecot"),
                h.getFacts().getServicesList().stream().map(ServiceFacts::getSoftware).toList());
        assertEquals(List.of(h), AdminServiceGrpc.newBlockingStub(channel)
                .listHosts(ListHostsRequest.getDefaultInstance()).getHostsList(), "the listing shows the same");

        // A later Hello replaces the domains: a domain gone from the server is no longer discovered.
        hello(REPORTED.toBuilder().clearDomains().addDomains("example.net").build());
        h = awaitHost(x -> x.getDiscoveredDomainsCount() == 1);
        assertEquals(List.of("example.net"), h.getDiscoveredDomainsList());
        assertEquals(List.of("example.net"), h.getUncoveredDomainsList());
    }

    @Test
    void recordedFactsSurviveAReopenOfTheStore() throws Exception {
        hello(REPORTED);
        awaitHost(x -> x.getDiscoveredDomainsCount() > 0);
        syncExecutor.shutdownNow();
        var before = c.store.hostStatus(HOST);
        c.close();
        c = new Controllers(dir);
        var after = c.store.hostStatus(HOST);
        assertEquals(before.facts(), after.facts());
        assertEquals(List.of("example.com", "example.net", "example.org"), after.discoveredDomains());
        assertTrue(after.facts().services().get(0).endpoints().contains(
                new org.mailcert.controller.model.ServiceEndpoint("submission", 587)));
    }
}
