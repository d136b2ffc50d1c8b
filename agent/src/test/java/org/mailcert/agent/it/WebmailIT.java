package org.mailcert.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.ProbeException;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.agent.probe.SocketTlsProbe;
import org.mailcert.agent.testing.NginxInstance;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.testing.ControllerProcess;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.ListBindingsRequest;
import org.mailcert.proto.v1.Scope;

/**
 * Webmail from the admin's command to the browser's handshake: a controller process, Debian's nginx
 * on a loopback port and {@code mailcert-agent run --target nginx} as a process. A webmail binding
 * makes {@code https://webmail.<d>} serve its certificate (proven by an SNI handshake and by the
 * binding's state on the controller, which the agent's drift report sets), a new version of the
 * certificate follows, and `mailcert client-settings` points webmail users at the name.
 */
class WebmailIT {
    private static final String HOST = "mx1.example.com";

    @TempDir
    Path tmp;
    private final TestPki pki = TestPki.rootCa("Webmail IT Root");
    private final SocketTlsProbe probe = new SocketTlsProbe(Duration.ofSeconds(3), Duration.ofSeconds(10));
    private ControllerProcess controller;
    private AdminServiceBlockingStub admin;
    private NginxInstance nginx;
    private HttpServer webmail;
    private AgentProcess agent;

    @BeforeEach
    void start() throws Exception {
        Path roots = tmp.resolve("roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(pki.root())));
        controller = new ControllerProcess(tmp.resolve("controller"), "--extra-roots", roots.toString()).start();
        admin = controller.admin();
        nginx = NginxInstance.start(tmp.resolve("nginx"));
        webmail = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webmail.createContext("/", exchange -> {
            byte[] body = "roundcube".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        webmail.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.stop();
        }
        if (webmail != null) {
            webmail.stop(0);
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void aWebmailBindingIsServedByNginxAndFollowsANewVersion() throws Exception {
        String token = admin.createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(HOST).build()).getToken();
        String v1 = importCert("webmail-a", pki.leaf("webmail.a.example").issue(), false);
        admin.bind(BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_WEBMAIL).setDomain("a.example")
                .setCertificate("webmail-a").build());
        Path agentDir = tmp.resolve("agent");
        AgentProcess.Result enrolled = AgentProcess.run(tmp, "enroll", "--controller", controller.address(),
                "--token", token, "--data-dir", agentDir.toString());
        assertEquals(0, enrolled.exit(), enrolled.output());
        agent = AgentProcess.start(tmp.resolve("agent.log"), "--data-dir", agentDir.toString(), "--target", "nginx",
                "--nginx-config-dir", nginx.configFile().getParent().toString(), "--nginx-listen",
                "127.0.0.1:" + nginx.port(), "--webmail-upstream", "http://127.0.0.1:" + webmail.getAddress().getPort(),
                "--extra-roots", tmp.resolve("roots.pem").toString(), "--start-delay", "0s");

        await("nginx serves webmail.a.example", 60, () -> served("webmail.a.example").equals(v1));
        await("the binding is served", 60, () -> "served".equals(state()));

        String v2 = importCert("webmail-a", pki.leaf("webmail.a.example").issue(), true);
        await("nginx serves version 2", 60, () -> served("webmail.a.example").equals(v2));
        await("the binding of version 2 is served", 60, () -> "served".equals(state()));

        ControllerProcess.CliResult settings = controller.cli("client-settings", "a.example");
        assertEquals(0, settings.exit(), settings.output());
        assertTrue(settings.output().contains("https://webmail.a.example/"), settings.output());
    }

    private String importCert(String name, TestPki.Leaf leaf, boolean newVersion) {
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName(name).setNewVersion(newVersion)
                .setChainPem(ByteString.copyFromUtf8(leaf.combinedPem())).build());
        return Fingerprints.sha256Hex(leaf.certificate());
    }

    private String state() {
        return admin.listBindings(ListBindingsRequest.newBuilder().setHost(HOST).build()).getBindings(0).getState();
    }

    private String served(String name) {
        try {
            return probe.probe(new Endpoint("https", "127.0.0.1", nginx.port(), Protocol.IMPLICIT), Optional.of(name))
                    .leafSha256();
        } catch (ProbeException e) {
            return "no handshake: " + e.getMessage();
        }
    }

    private void await(String what, int seconds, Callable<Boolean> condition) throws Exception {
        HostWatch.await(what, seconds, condition, () -> "agent log:\n" + (agent == null ? "" : agent.log())
                + "\nnginx:\n" + nginx.log());
    }
}
