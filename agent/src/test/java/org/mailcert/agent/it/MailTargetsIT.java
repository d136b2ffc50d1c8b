package org.mailcert.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.target.mail.Steps;
import org.mailcert.agent.testing.DovecotInstance;
import org.mailcert.agent.testing.PostfixInstance;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.testing.ControllerProcess;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.Host;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.Scope;
import org.mailcert.proto.v1.ServiceFacts;

/**
 * The whole loop with the real mail servers ({@link RealMailHost}). Proves by handshakes on every
 * port that the bound certificates are served, that the agent reports its software and the domains
 * it found, and that killing the agent at any step of an apply leaves both servers with the old or
 * the new configuration, from which a restarted agent converges.
 */
class MailTargetsIT extends RealMailHost {
    /** Every named step of the two targets' apply, in order. */
    private static final List<String> STEPS = List.of(
            "postfix.files-written", "postfix.map-built", "postfix.config-switched", "postfix.reloaded",
            "postfix.probed", "postfix.pruned",
            "dovecot.files-written", "dovecot.include-written", "dovecot.validated", "dovecot.reloaded",
            "dovecot.probed", "dovecot.pruned");

    @Test
    void boundCertificatesAreServedOnEveryPortAndTheHostReportsItsSoftwareAndDomains() throws Exception {
        startAgent(Map.of());
        await("the agent is in sync", 120, this::inSync);
        for (Endpoint e : endpoints()) {
            assertEquals(aSha, served(e, "mail.a.example.com"), e + " for mail.a.example.com");
            assertEquals(wildSha, served(e, "mail.example.net"), e + " for mail.example.net");
            assertEquals(wildSha, served(e, "imap.example.net"), e + " for imap.example.net (wildcard)");
            assertEquals(serverSha, served(e, "unknown.example.org"), e + " for an unknown name");
            assertEquals(serverSha, served(e, null), e + " without SNI");
        }

        Host h = host();
        Set<String> software = new java.util.TreeSet<>();
        for (ServiceFacts s : h.getFacts().getServicesList()) {
            software.add(s.getSoftware());
            assertTrue(s.getPerDomainSni(), s.getSoftware() + " serves per-domain certificates");
        }
        assertEquals(Set.of("dovecot", "postfix"), software);
        assertTrue(h.getDiscoveredDomainsList().contains("uncovered.example.org"), h.getDiscoveredDomainsList()
                .toString());
        assertEquals(List.of("uncovered.example.org"), h.getUncoveredDomainsList(),
                "a.example.com and example.net have bindings; the server's own name is no mail domain");

        // One domain's certificate changes: served by both servers soon after the controller write.
        long start = System.nanoTime();
        String renewedSha = importCert("a", pki.leaf("mail.a.example.com").issue(), true);
        for (Endpoint e : endpoints()) {
            await(e + " serves the new certificate of mail.a.example.com", 30,
                    () -> renewedSha.equals(served(e, "mail.a.example.com")));
        }
        System.out.println("MailTargetsIT: one-domain change served by Postfix and Dovecot on all "
                + endpoints().size() + " endpoints " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                + " ms after the controller write began");
    }

    @Test
    void killingTheAgentAtAnyStepLeavesAWorkingConfigurationAndItConvergesOnRestart() throws Exception {
        startAgent(Map.of());
        await("the agent is in sync", 120, this::inSync);
        agent.close();
        for (String step : STEPS) {
            String before = aSha;
            String after = importCert("a", pki.leaf("mail.a.example.com").issue(), true);
            aSha = after;
            Path paused = tmp.resolve("paused-" + step);
            startAgent(Map.of(Steps.PAUSE_AT, step, Steps.PAUSE_FILE, paused.toString()));
            await("the agent pauses at " + step, 120, () -> Files.exists(paused));
            agent.kill9();

            postfix.postconf("-n");
            assertEquals(0, doveconf(), "Dovecot's configuration is valid after a kill at " + step);
            for (Endpoint e : endpoints()) {
                String s = served(e, "mail.a.example.com");
                assertTrue(s.equals(before) || s.equals(after), "after a kill at " + step + ", " + e
                        + " serves neither the old nor the new certificate of mail.a.example.com: " + s);
                assertEquals(serverSha, served(e, null), "after a kill at " + step + ", " + e + " without SNI");
            }

            startAgent(Map.of());
            await("the agent converges after a kill at " + step, 120, this::inSync);
            for (Endpoint e : endpoints()) {
                assertEquals(after, served(e, "mail.a.example.com"), "converged after " + step + ": " + e);
            }
            agent.close();
            System.out.println("MailTargetsIT: killed at " + step + ": old or new served, converged on restart");
        }
        for (String target : List.of("postfix", "dovecot")) {
            try (Stream<Path> files = Files.list(agentDir.resolve(target))) {
                long keys = files.filter(f -> f.getFileName().toString().endsWith(".key.pem")).count();
                assertEquals(3, keys, target + ": only the three certificates in use are left on disk");
            }
        }
    }
}
