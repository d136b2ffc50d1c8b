package org.mailcert.controller.daemon;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.mailcert.controller.sync.SyncSession;
import org.mailcert.controller.testing.ControllerProcess;
import org.mailcert.proto.v1.AdminServiceGrpc;

/**
 * The real controller (store, services, gRPC, metrics, the acme4j wiring and the renewal
 * scheduler) in the test's JVM on loopback, with a clock the test controls, for tests in other
 * modules that need to move time, e.g. into a renewal window while a real agent keeps real time.
 */
public final class InProcessController implements AutoCloseable {
    private final Controller controller;
    private final ManagedChannel channel;

    private InProcessController(Controller controller, ManagedChannel channel) {
        this.controller = controller;
        this.channel = channel;
    }

    /**
     * Starts on free loopback ports.
     *
     * @param extraRoots roots trusted besides the JDK's (e.g. the ACME test CA's issuing root)
     * @param acmeDnsServer as {@code --acme-dns-server}
     * @param renewalTick how often the renewal scheduler looks for due work
     */
    public static InProcessController start(Path dataDir, Clock clock, Optional<Path> extraRoots,
            Optional<InetSocketAddress> acmeDnsServer, Duration renewalTick) throws Exception {
        ControllerConfig cfg = new ControllerConfig(dataDir, new InetSocketAddress("127.0.0.1", 0),
                List.of("localhost"), List.of("127.0.0.1"), Optional.of(new InetSocketAddress("127.0.0.1", 0)),
                extraRoots, Duration.ofDays(7), SyncSession.PAGE_BYTES, ControllerConfig.Keepalive.DEFAULT,
                org.mailcert.controller.events.EventRetention.Limits.DEFAULT);
        Controller controller = Controller.start(cfg, clock, creds -> Controller.netty(cfg.listen(), creds),
                RealAcme.wiring(clock, acmeDnsServer), renewalTick);
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", controller.port(),
                TlsChannelCredentials.newBuilder().trustManager(dataDir.resolve("ca.pem").toFile()).build()).build();
        return new InProcessController(controller, channel);
    }

    /** {@code localhost:port}, as agents enroll with. */
    public String address() {
        return "localhost:" + controller.port();
    }

    /** A blocking admin stub with the first admin token. */
    public AdminServiceGrpc.AdminServiceBlockingStub admin() throws java.io.IOException {
        String token = Files.readString(controller.dataDir().resolve("admin.token"), StandardCharsets.US_ASCII).trim();
        return AdminServiceGrpc.newBlockingStub(channel).withCallCredentials(ControllerProcess.bearer(token));
    }

    /** The Prometheus text of /metrics. */
    public String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + controller.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the metric line that starts with {@code nameAndLabels} and a space, or 0 if absent. */
    public double metric(String nameAndLabels) throws Exception {
        for (String line : metrics().split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        controller.close();
    }
}
