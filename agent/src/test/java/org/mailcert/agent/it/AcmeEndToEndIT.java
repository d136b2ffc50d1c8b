package org.mailcert.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.testing.PostfixInstance;
import org.mailcert.controller.daemon.InProcessController;
import org.mailcert.controller.issuers.BundleService;
import org.mailcert.controller.testing.BindInstance;
import org.mailcert.controller.testing.PebbleInstance;
import org.mailcert.controller.testing.ShiftedClock;
import org.mailcert.proto.v1.AcmeStatus;
import org.mailcert.proto.v1.AddIssuerRequest;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.Binding;
import org.mailcert.proto.v1.CertificateDetail;
import org.mailcert.proto.v1.CertificateVersion;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.DnsSolver;
import org.mailcert.proto.v1.Event;
import org.mailcert.proto.v1.GetCertificateRequest;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.Host;
import org.mailcert.proto.v1.ListBindingsRequest;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.Rfc2136Solver;
import org.mailcert.proto.v1.RequestCertificateRequest;
import org.mailcert.proto.v1.RequestCertificateResponse;
import org.mailcert.proto.v1.RequestHostBundleRequest;
import org.mailcert.proto.v1.Scope;

/**
 * Renewal from end to end with real parts: the controller (in this JVM, its clock moved by the test)
 * orders a wildcard from Debian's Pebble, which validates DNS-01 against a real BIND 9 fed by RFC
 * 2136; the certificate is bound server-wide to a host whose agent process installs it into a real
 * Postfix. The clock then jumps into the renewal window while the DNS server is frozen (SIGSTOP):
 * the renewal fails, is recorded as an event and a metric, and backs off 1 min, then 10 min, with no
 * attempt in between. With DNS back, the next attempt issues version 2, the agent installs it and
 * Postfix serves it: proven by a live STARTTLS handshake and by the binding's state on the controller.
 *
 * <p>A SAN bundle is ordered for the host's FQDN and the {@code mail.<d>} of the domains Postfix
 * serves, bound server-wide and served without SNI; when the admin adds a domain to Postfix, the
 * agent tells the controller, which re-orders the bundle with the new name, and the host serves it.
 */
class AcmeEndToEndIT {
    private static final String HOST = "mx1.example.test";
    private static final String CERT = "wild";
    private static final Duration TICK = Duration.ofMillis(500);

    @TempDir
    Path tmp;

    private final ShiftedClock clock = new ShiftedClock();
    private final SocketTlsProbe probe = new SocketTlsProbe(Duration.ofSeconds(3), Duration.ofSeconds(10));
    private BindInstance bind;
    private PebbleInstance pebble;
    private InProcessController controller;
    private AdminServiceBlockingStub stub;
    private PostfixInstance postfix;
    private AgentProcess agent;

    @BeforeEach
    void start() throws Exception {
        bind = BindInstance.start(tmp.resolve("bind"), List.of(HOST, "mail.a.example.test", "mail.b.example.test",
                "mail.c.example.test"));
        pebble = PebbleInstance.start(Map.of(), Optional.of(bind.address()));
        Path roots = tmp.resolve("pebble-roots.pem");
        Files.writeString(roots, pebble.issuingRootPem());
        controller = InProcessController.start(tmp.resolve("controller"), clock, Optional.of(roots),
                Optional.of(new java.net.InetSocketAddress("127.0.0.1", bind.port())), TICK);
        stub = controller.admin();
        postfix = PostfixInstance.start(tmp.resolve("postfix"));
    }

    @AfterEach
    void stop() throws Exception {
        if (bind != null) {
            signalBind("-CONT");
        }
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (postfix != null) {
            postfix.close();
        }
        if (pebble != null) {
            pebble.close();
        }
        if (bind != null) {
            bind.close();
        }
    }

    @Test
    void aBoundCertificateRenewsThroughFailuresAndTheHostServesTheNewVersion() throws Exception {
        addIssuer();
        CertificateVersion first = admin().requestCertificate(RequestCertificateRequest.newBuilder().setName(CERT)
                .addDomains("*.example.test").addDomains("example.test").build()).getCertificate();
        assertEquals(1, first.getVersion());
        startAgent();
        admin().bind(BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_SERVER).setCertificate(CERT).build());
        Endpoint smtp = postfix.endpoints().get(0);
        await("Postfix serves version 1", 90, () -> served(smtp).equals(first.getSha256()));
        await("the binding is served", 60, () -> "served".equals(binding().getState()));

        // Freeze DNS, then jump to the renewal time: a third of the lifetime left.
        AcmeStatus issued = acme();
        assertEquals("issued", issued.getLastResult());
        assertTrue(issued.getNextReason().contains("third"), issued.getNextReason());
        signalBind("-STOP");
        clock.advanceTo(instant(issued.getNextAttempt()).plusSeconds(1));

        await("the first renewal attempt fails", 90, () -> failures() == 1);
        AcmeStatus failed = acme();
        Instant failedAt = instant(failed.getLastAttempt());
        Duration backoff = Duration.between(failedAt, instant(failed.getNextAttempt()));
        assertTrue(backoff.compareTo(Duration.ofSeconds(48)) >= 0 && backoff.compareTo(Duration.ofSeconds(72)) <= 0,
                "about 1 min (±20 %) after the first failure: " + backoff);
        assertTrue(List.of("dns", "network").contains(failed.getErrorKind()), failed.getErrorKind());
        assertEquals(1, events("acme.failed").size());
        assertEquals(1, controller.metric("mailcert_acme_failures_total{kind=\"" + failed.getErrorKind() + "\"}"));
        assertEquals(1, controller.metric("mailcert_acme_certificates_failing"));

        // Several scheduler ticks with the clock short of the back-off: no attempt (no hot loop).
        Thread.sleep(TICK.multipliedBy(8).toMillis());
        assertEquals(1, acme().getFailures());
        assertEquals(1, events("acme.failed").size());

        clock.advanceTo(instant(failed.getNextAttempt()).plusSeconds(1));
        await("the second attempt fails", 90, () -> failures() == 2);
        AcmeStatus again = acme();
        Duration second = Duration.between(instant(again.getLastAttempt()), instant(again.getNextAttempt()));
        assertTrue(second.compareTo(Duration.ofMinutes(8)) >= 0 && second.compareTo(Duration.ofMinutes(12)) <= 0,
                "about 10 min (±20 %) after the second failure: " + second);
        assertEquals(2, controller.metric("mailcert_acme_failures_total{kind=\"" + again.getErrorKind() + "\"}"));
        assertEquals(first.getSha256(), served(smtp), "a failed renewal leaves the host as it was");

        // DNS is back: the next attempt issues version 2, which the host installs and serves.
        signalBind("-CONT");
        clock.advanceTo(instant(again.getNextAttempt()).plusSeconds(1));
        await("version 2 is issued", 120, () -> versions().size() == 2);
        CertificateVersion renewed = versions().get(1);
        assertEquals(2, renewed.getVersion());
        AcmeStatus after = acme();
        assertEquals("issued", after.getLastResult());
        assertEquals(0, after.getFailures());
        assertTrue(events("acme.issued").stream().anyMatch(e -> e.getMessage().contains("version 2")),
                events("acme.issued").toString());
        assertEquals(0, controller.metric("mailcert_acme_certificates_failing"));

        await("Postfix serves version 2", 90, () -> served(smtp).equals(renewed.getSha256()));
        await("the binding of version 2 is served", 60, () -> "served".equals(binding().getState()));
        assertEquals(List.of(), bind.txt("_acme-challenge.example.test."), () -> "the challenge records were removed;"
                + " named's log:\n" + namedLog());
    }

    /** The admin stub with a deadline for one call (a stub's deadline is fixed when it is made). */
    private AdminServiceBlockingStub admin() {
        return stub.withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @Test
    void aSanBundleCoversTheHostsDomainsAndFollowsADomainAddedOnTheHost() throws Exception {
        addIssuer();
        postfix.postconf("-e", "virtual_mailbox_domains = a.example.test b.example.test");
        startAgent();
        await("the agent reports the host's domains", 60,
                () -> host().getDiscoveredDomainsList().equals(List.of("a.example.test", "b.example.test")));

        RequestCertificateResponse bundle = admin().requestHostBundle(RequestHostBundleRequest.newBuilder()
                .setHost(HOST).build());
        String name = "bundle-" + HOST;
        assertEquals(List.of(HOST, "mail.a.example.test", "mail.b.example.test"), bundle.getAcme().getDomainsList());
        assertEquals(List.of(), bundle.getUncoveredDomainsList());
        Endpoint smtp = postfix.endpoints().get(0);
        await("Postfix serves the bundle without SNI", 90,
                () -> served(smtp).equals(bundle.getCertificate().getSha256()));
        await("the binding is served", 60, () -> "served".equals(binding().getState()));

        // The admin adds a domain to Postfix: the agent sees main.cf change and tells the controller,
        // which re-orders the bundle (at most once an hour) and the host serves the new version.
        postfix.postconf("-e", "virtual_mailbox_domains = a.example.test b.example.test c.example.test");
        await("the controller learns the new domain", 60, () -> host().getDiscoveredDomainsList().size() == 3);
        assertTrue(events("host.domains_changed").stream().anyMatch(e -> e.getMessage().contains("added c.example.test")),
                events("host.domains_changed").toString());
        clock.advance(BundleService.REORDER_EVERY.plusMinutes(1));
        await("the bundle is re-ordered with mail.c.example.test", 120, () -> versions(name).size() == 2);
        assertEquals(List.of(HOST, "mail.a.example.test", "mail.b.example.test", "mail.c.example.test"),
                acme(name).getDomainsList());
        assertEquals(1, events("acme.bundle_names").size(), events("acme.bundle_names").toString());
        String renewed = versions(name).get(1).getSha256();
        await("Postfix serves the bundle with the new domain", 90, () -> served(smtp).equals(renewed));
    }

    private void addIssuer() {
        admin().addIssuer(AddIssuerRequest.newBuilder().setName("pebble").setDirectoryUrl(pebble.directory().toString())
                .setEmail("admin@example.test").setDirectoryCaPem(com.google.protobuf.ByteString.copyFromUtf8(
                        pebble.tlsCaPem()))
                .setDns(DnsSolver.newBuilder().setRfc2136(Rfc2136Solver.newBuilder().setServer(bind.address())
                        .setTsigKeyName(BindInstance.KEY_NAME)
                        .setTsigSecret(Base64.getEncoder().encodeToString(bind.secret()))))
                .build());
    }

    /** Enrolls the host and starts its agent with the Postfix target. */
    private void startAgent() throws Exception {
        String token = admin().createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(HOST).build()).getToken();
        Path agentDir = tmp.resolve("agent");
        AgentProcess.Result enrolled = AgentProcess.run(tmp, "enroll", "--controller", controller.address(),
                "--token", token, "--data-dir", agentDir.toString());
        assertEquals(0, enrolled.exit(), enrolled.output());
        agent = AgentProcess.start(tmp.resolve("agent.log"), "--data-dir", agentDir.toString(), "--target", "postfix",
                "--postfix-config-dir", postfix.configDir().toString(), "--start-delay", "0s",
                "--extra-roots", tmp.resolve("pebble-roots.pem").toString());
    }

    private Host host() {
        return admin().getHost(GetHostRequest.newBuilder().setHost(HOST).build()).getHost();
    }

    private AcmeStatus acme() {
        return acme(CERT);
    }

    private AcmeStatus acme(String name) {
        return certificate(name).getAcme();
    }

    private int failures() {
        return acme().getFailures();
    }

    private CertificateDetail certificate(String name) {
        return admin().getCertificate(GetCertificateRequest.newBuilder().setName(name).build());
    }

    private List<CertificateVersion> versions() {
        return versions(CERT);
    }

    private List<CertificateVersion> versions(String name) {
        return certificate(name).getVersionsList();
    }

    private Binding binding() {
        return admin().listBindings(ListBindingsRequest.newBuilder().setHost(HOST).build()).getBindings(0);
    }

    private List<Event> events(String kind) {
        return admin().listEvents(ListEventsRequest.newBuilder().setLimit(1000).build()).getEventsList().stream()
                .filter(e -> e.getKind().equals(kind)).toList();
    }

    private String served(Endpoint e) {
        try {
            return probe.probe(e, Optional.empty()).leafSha256();
        } catch (ProbeException x) {
            return "no handshake: " + x.getMessage();
        }
    }

    private static Instant instant(com.google.protobuf.Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** Sends a signal to named (SIGSTOP freezes it: updates and queries time out; SIGCONT resumes it). */
    private void signalBind(String signal) throws Exception {
        Path pidFile = tmp.resolve("bind").resolve("named.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Process kill = new ProcessBuilder("kill", signal, Files.readString(pidFile).trim()).redirectErrorStream(true)
                .start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill finished");
    }

    private String namedLog() {
        try {
            return bind.log();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private void await(String what, int seconds, Callable<Boolean> condition) throws Exception {
        HostWatch.await(what, seconds, condition, () -> "agent log:\n" + (agent == null ? "" : agent.log())
                + "\npostfix log:\n" + postfix.logTail() + "\nnamed log:\n" + namedLog());
    }
}
