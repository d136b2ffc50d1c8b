package org.mailcert.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

/**
 * The whole loop with real processes: a controller on the embedded store, an agent enrolled with
 * a join token and running the {@code files} target; certificates bound on the controller appear
 * on disk; the agent survives a controller kill and restart and resumes without a full resend; a
 * failing post-change command is Nacked with the old files kept; an agent killed mid-apply
 * converges when it comes back.
 */
class AgentEndToEndIT {
    private static final String HOST = "mx1.example.net";
    private static final int DOMAINS = 10;

    @TempDir
    Path tmp;
    TestPki pki = TestPki.rootCa("E2E Root");
    ControllerProcess controller;
    AdminServiceBlockingStub admin;
    HostWatch watch;
    AgentProcess agent;
    Path agentDir;
    Path certs;
    Path hook;
    Path failMarker;
    Path slowMarker;

    @BeforeEach
    void setUp() throws Exception {
        Path roots = tmp.resolve("roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(pki.root())));
        controller = new ControllerProcess(tmp.resolve("controller"), "--extra-roots", roots.toString()).start();
        admin = controller.admin().withDeadlineAfter(60, TimeUnit.SECONDS);
        watch = new HostWatch(admin, HOST);
        agentDir = tmp.resolve("agent");
        certs = tmp.resolve("certs");
        failMarker = tmp.resolve("fail");
        slowMarker = tmp.resolve("slow");
        hook = tmp.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\n"
                + "echo \"changed: $MAILCERT_CHANGED\" >> " + tmp.resolve("hook.log") + "\n"
                + "if [ -e " + slowMarker + " ]; then sleep 60; fi\n"
                + "if [ -e " + failMarker + " ]; then echo 'reload refused' >&2; exit 3; fi\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));

        String token = admin.createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(HOST).build()).getToken();
        importCert("server", pki.leaf(HOST).issue(), false);
        admin.bind(BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_SERVER).setCertificate("server").build());
        for (int i = 0; i < DOMAINS; i++) {
            String d = "d" + i + ".example.com";
            importCert("c" + i, pki.leaf("mail." + d, "webmail." + d).issue(), false);
            admin.bind(BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_MAIL).setDomain(d)
                    .setCertificate("c" + i).build());
        }
        AgentProcess.Result enrolled = AgentProcess.run(tmp, "enroll", "--controller", controller.address(),
                "--token", token, "--data-dir", agentDir.toString());
        assertEquals(0, enrolled.exit(), enrolled.output());
        assertEquals("rw-------", mode(agentDir.resolve("identity/agent.key")));
        startAgent();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.stop();
        }
    }

    private void startAgent() throws Exception {
        agent = AgentProcess.start(tmp.resolve("agent.log"), "--data-dir", agentDir.toString(), "--target", "files",
                "--files-dir", certs.toString(), "--files-command", hook.toString(), "--start-delay", "0s");
    }

    private void importCert(String name, TestPki.Leaf leaf, boolean newVersion) {
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName(name).setNewVersion(newVersion)
                .setChainPem(ByteString.copyFromUtf8(leaf.combinedPem())).build());
    }

    private String servedSha(String name) throws Exception {
        Path f = certs.resolve("live").resolve(name).resolve("cert.pem");
        if (!Files.exists(f)) {
            return "";
        }
        return Fingerprints.sha256Hex(Pem.readCertificates(Files.readAllBytes(f)).get(0));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void boundCertificatesAppearOnDiskAndRenewalsFollow() throws Exception {
        await("the agent is in sync", this::inSync);
        for (String name : List.of(HOST, "mail.d0.example.com", "mail.d9.example.com")) {
            Path live = certs.resolve("live").resolve(name);
            for (String f : List.of("fullchain.pem", "privkey.pem", "cert.pem", "chain.pem")) {
                assertTrue(Files.exists(live.resolve(f)), live.resolve(f) + " missing");
            }
            assertEquals("rw-------", mode(live.resolve("privkey.pem")));
        }
        assertTrue(admin.listBindings(org.mailcert.proto.v1.ListBindingsRequest.newBuilder().setHost(HOST).build())
                .getBindingsList().stream().allMatch(b -> b.getState().equals("installed")));

        TestPki.Leaf renewed = pki.leaf("mail.d3.example.com", "webmail.d3.example.com").issue();
        importCert("c3", renewed, true);
        String want = Fingerprints.sha256Hex(renewed.certificate());
        await("the renewed certificate is on disk", () -> want.equals(servedSha("mail.d3.example.com")));
        await("the agent acked the renewal", this::inSync);
        assertTrue(Files.readString(tmp.resolve("hook.log")).contains("mail.d3.example.com"));

        AgentProcess.Result status = AgentProcess.run(tmp, "status", "--data-dir", agentDir.toString());
        assertEquals(0, status.exit(), status.output());
        assertTrue(status.output().contains("mail.d3.example.com"), status.output());
    }

    @Test
    void theAgentOutlivesAControllerRestartAndResumesWithoutAFullResend() throws Exception {
        await("the agent is in sync", this::inSync);
        long fullBytes = controller.metric("mailcert_sync_sent_bytes_total");
        long applied = host().getAppliedVersion();
        controller.kill9();
        Thread.sleep(1500);
        assertTrue(agent.alive(), "the agent died with the controller:\n" + agent.log());
        assertTrue(Files.exists(certs.resolve("live/mail.d7.example.com/privkey.pem")), "files gone while offline");

        controller = new ControllerProcess(controller.dataDir(), controller.port(), controller.metricsPort(),
                "--extra-roots", tmp.resolve("roots.pem").toString()).start();
        admin = controller.admin().withDeadlineAfter(60, TimeUnit.SECONDS);
        watch = new HostWatch(admin, HOST);
        await("the agent reconnected", this::inSync);
        assertEquals(applied, host().getAppliedVersion());
        long resumeBytes = controller.metric("mailcert_sync_sent_bytes_total");
        assertTrue(resumeBytes * 100 <= fullBytes,
                "resume sent " + resumeBytes + " bytes; the first full state was " + fullBytes);
    }

    @Test
    void aFailingCommandIsNackedAndTheOldFilesStay() throws Exception {
        await("the agent is in sync", this::inSync);
        String before = servedSha("mail.d5.example.com");
        long applied = host().getAppliedVersion();
        Files.createFile(failMarker);
        importCert("c5", pki.leaf("mail.d5.example.com").issue(), true);
        await("the agent refused the update", () -> host().getLastError().contains("reload refused")
                || host().getLastError().contains("3"));
        assertEquals(applied, host().getAppliedVersion());
        assertEquals(before, servedSha("mail.d5.example.com"), "the old certificate must be back on disk");
        assertTrue(admin.listBindings(org.mailcert.proto.v1.ListBindingsRequest.newBuilder().setHost(HOST).build())
                .getBindingsList().stream().anyMatch(b -> b.getState().equals("failed")));

        Files.delete(failMarker);
        TestPki.Leaf next = pki.leaf("mail.d5.example.com").issue();
        importCert("c5", next, true);
        await("the next update is applied", this::inSync);
        assertEquals(Fingerprints.sha256Hex(next.certificate()), servedSha("mail.d5.example.com"));
    }

    @Test
    void anAgentKilledMidApplyConvergesWhenItComesBack() throws Exception {
        await("the agent is in sync", this::inSync);
        Files.createFile(slowMarker);
        TestPki.Leaf next = pki.leaf("mail.d9.example.com").issue();
        importCert("c9", next, true);
        await("the agent is running the post-change command", () -> Files.exists(tmp.resolve("hook.log"))
                && Files.readString(tmp.resolve("hook.log"), StandardCharsets.UTF_8).contains("mail.d9.example.com"));
        agent.kill9();
        Files.delete(slowMarker);
        startAgent();
        await("the agent converged after the restart", this::inSync);
        assertEquals(Fingerprints.sha256Hex(next.certificate()), servedSha("mail.d9.example.com"));
    }
    private Host host() {
        return watch.host();
    }

    private boolean inSync() {
        return watch.inSync();
    }

    private void await(String what, Callable<Boolean> condition) throws Exception {
        HostWatch.await(what, 60, condition, () -> "agent log:\n" + agent.log());
    }
}
