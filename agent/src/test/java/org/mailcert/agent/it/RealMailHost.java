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
 * The real mail host the integration tests share: a controller process, a Postfix and a Dovecot
 * instance on loopback, a host enrolled with a server-wide certificate, a per-domain one for
 * a.example.com and a wildcard for example.net, and {@code mailcert-agent run --target
 * postfix,dovecot} as a process started by each test.
 */
abstract class RealMailHost {
    static final String HOST = "mx1.example.com";

    @TempDir
    Path tmp;
    final TestPki pki = TestPki.rootCa("Mail IT Root");
    final SocketTlsProbe probe = new SocketTlsProbe(Duration.ofSeconds(3), Duration.ofSeconds(10));
    ControllerProcess controller;
    AdminServiceBlockingStub admin;
    HostWatch watch;
    PostfixInstance postfix;
    DovecotInstance dovecot;
    AgentProcess agent;
    Path agentDir;
    String serverSha;
    String wildSha;
    /** The leaf of the latest version of certificate "a", bound for a.example.com. */
    String aSha;

    @BeforeEach
    void setUp() throws Exception {
        Path roots = tmp.resolve("roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(pki.root())));
        controller = new ControllerProcess(tmp.resolve("controller"), "--extra-roots", roots.toString()).start();
        admin = controller.admin();
        watch = new HostWatch(admin, HOST);
        postfix = PostfixInstance.start(tmp.resolve("postfix"));
        dovecot = DovecotInstance.start(tmp.resolve("dovecot"));
        postfix.postconf("-e", "virtual_mailbox_domains = a.example.com example.net uncovered.example.org");

        String token = admin.createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(HOST).build()).getToken();
        serverSha = importCert("server", pki.leaf(HOST).issue(), false);
        bind(Scope.SCOPE_SERVER, "", "server");
        aSha = importCert("a", pki.leaf("mail.a.example.com").issue(), false);
        bind(Scope.SCOPE_MAIL, "a.example.com", "a");
        wildSha = importCert("wild", pki.leaf("*.example.net", "example.net").issue(), false);
        bind(Scope.SCOPE_MAIL, "example.net", "wild");

        agentDir = tmp.resolve("agent");
        AgentProcess.Result enrolled = AgentProcess.run(tmp, "enroll", "--controller", controller.address(),
                "--token", token, "--data-dir", agentDir.toString());
        assertEquals(0, enrolled.exit(), enrolled.output());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.stop();
        }
        if (dovecot != null) {
            dovecot.close();
        }
        if (postfix != null) {
            postfix.close();
        }
    }

    void startAgent(Map<String, String> environment, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--data-dir", agentDir.toString(),
                "--target", "postfix,dovecot", "--postfix-config-dir", postfix.configDir().toString(),
                "--dovecot-config", dovecot.config().toString(), "--start-delay", "0s"));
        args.addAll(List.of(more));
        agent = AgentProcess.start(tmp.resolve("agent.log"), environment, args.toArray(String[]::new));
    }

    List<Endpoint> endpoints() {
        List<Endpoint> all = new ArrayList<>(postfix.endpoints());
        all.addAll(dovecot.endpoints());
        return all;
    }

    String served(Endpoint e, String sni) {
        try {
            return probe.probe(e, Optional.ofNullable(sni)).leafSha256();
        } catch (ProbeException x) {
            return "no handshake: " + x.getMessage();
        }
    }

    int doveconf() throws Exception {
        Process p = new ProcessBuilder("doveconf", "-c", dovecot.config().toString(), "-n").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "doveconf finished");
        return p.exitValue();
    }

    String importCert(String name, TestPki.Leaf leaf, boolean newVersion) {
        admin.importCertificate(ImportCertificateRequest.newBuilder().setName(name).setNewVersion(newVersion)
                .setChainPem(ByteString.copyFromUtf8(leaf.combinedPem())).build());
        return Fingerprints.sha256Hex(leaf.certificate());
    }

    void bind(Scope scope, String domain, String certificate) {
        admin.bind(BindRequest.newBuilder().setHost(HOST).setScope(scope).setDomain(domain).setCertificate(certificate)
                .build());
    }

    Host host() {
        return watch.host();
    }

    boolean inSync() {
        return watch.inSync();
    }

    void await(String what, int seconds, Callable<Boolean> condition) throws Exception {
        HostWatch.await(what, seconds, condition, () -> "agent log:\n" + agent.log() + "\npostfix log:\n"
                + postfix.logTail() + "\ndovecot log:\n" + dovecot.log());
    }
}
