package org.mailcert.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
 * Keepalive finds dead peers on both sides. A peer is made "dead" without closing its connection
 * by stopping its process (SIGSTOP): the kernel keeps the TCP connection open, but nobody answers
 * the HTTP/2 pings. Both sides run with gRPC's shortest keepalive interval (10 s, which gRPC
 * enforces on clients and servers alike) and short timeouts: 1 s on the controller, 2 s on the agent.
 */
class DeadPeerIT {
    private static final String HOST = "mx1.example.com";

    @TempDir
    Path tmp;
    TestPki pki = TestPki.rootCa("Keepalive Root");
    ControllerProcess controller;
    AdminServiceBlockingStub admin;
    HostWatch watch;
    AgentProcess agent;

    @BeforeEach
    void setUp() throws Exception {
        Path roots = tmp.resolve("roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(pki.root())));
        controller = new ControllerProcess(tmp.resolve("controller"), "--extra-roots", roots.toString(),
                "--agent-keepalive", "10s", "--agent-keepalive-timeout", "1s").start();
        admin = controller.admin();
        watch = new HostWatch(admin, HOST);
        String token = admin.createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(HOST).build()).getToken();
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName("server")
                .setChainPem(ByteString.copyFromUtf8(pki.leaf(HOST).issue().combinedPem())).build());
        admin.bind(BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_SERVER).setCertificate("server").build());
        Path agentDir = tmp.resolve("agent");
        AgentProcess.Result enrolled = AgentProcess.run(tmp, "enroll", "--controller", controller.address(),
                "--token", token, "--data-dir", agentDir.toString());
        assertEquals(0, enrolled.exit(), enrolled.output());
        agent = AgentProcess.start(tmp.resolve("agent.log"), "--data-dir", agentDir.toString(), "--files-dir",
                tmp.resolve("certs").toString(), "--start-delay", "0s", "--keepalive", "10s", "--keepalive-timeout",
                "2s");
        await("the agent is in sync", 60, this::inSync);
    }

    @AfterEach
    void tearDown() throws Exception {
        // never leave a stopped process behind
        if (agent != null) {
            signal("CONT", agent.pid());
            agent.close();
        }
        if (controller != null) {
            signal("CONT", controller.pid());
            controller.stop();
        }
    }

    @Test
    void theControllerDropsAStreamWhoseAgentStoppedAnsweringAndTheAgentComesBack() throws Exception {
        signal("STOP", agent.pid());
        long stopped = System.nanoTime();
        await("the controller shows the silent agent disconnected", 30, () -> !host().getConnected());
        long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        System.out.println("DeadPeerIT: controller noticed the stopped agent after " + detectedMillis + " ms");
        assertTrue(detectedMillis < 16_000, "keepalive 10 s + timeout 1 s should notice within about 11 s: "
                + detectedMillis + " ms");
        signal("CONT", agent.pid());
        await("the agent reconnects and is in sync", 60, this::inSync);
    }

    @Test
    void theAgentNoticesAControllerThatStoppedAnsweringAndReconnectsWhenItIsBack() throws Exception {
        String before = agent.log();
        signal("STOP", controller.pid());
        long stopped = System.nanoTime();
        await("the agent logs that the stream failed", 30, () -> agent.log().length() > before.length()
                && agent.log().substring(before.length()).contains("reconnecting in"));
        long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        System.out.println("DeadPeerIT: agent noticed the stopped controller after " + detectedMillis + " ms");
        assertTrue(detectedMillis < 16_000, "keepalive 10 s + timeout 2 s should notice within about 12 s: "
                + detectedMillis + " ms");
        signal("CONT", controller.pid());
        await("the agent reconnects and is in sync", 90, this::inSync);
        assertTrue(agent.alive(), "the agent keeps running");
    }

    private static void signal(String name, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        p.waitFor(10, TimeUnit.SECONDS);
    }
    private Host host() {
        return watch.host();
    }

    private boolean inSync() {
        return watch.inSync();
    }

    private void await(String what, int seconds, Callable<Boolean> condition) throws Exception {
        HostWatch.await(what, seconds, condition, () -> "agent log:\n" + agent.log());
    }
}
