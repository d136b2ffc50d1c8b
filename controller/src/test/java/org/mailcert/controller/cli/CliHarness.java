package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.mailcert.common.net.ControllerAddress;

/**
 * Runs {@link MailcertCli#run} against a {@link FakeAdminService} on an in-process server with a
 * unique name. Records what the CLI asked the channel factory for and the authorization headers
 * the server saw; every run must leave its channel shut down.
 */
final class CliHarness implements AutoCloseable {
    /** What one run printed and returned. */
    record Result(int exit, String out, String err) {
        /** The stderr lines. */
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    /** One request to the channel factory. */
    record Opened(ControllerAddress address, Optional<Path> caFile) {
    }

    static final String TOKEN = "mcat_test-token";

    final FakeAdminService service = new FakeAdminService();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<Opened> opened = new CopyOnWriteArrayList<>();
    final Map<String, String> env = new HashMap<>(Map.of(ConnectionSettings.ENV_TOKEN, TOKEN));
    final Path workDir;

    private final String name = InProcessServerBuilder.generateName();
    private final Server server;
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

    CliHarness(Path workDir) throws IOException {
        this.workDir = workDir;
        ServerInterceptor recordAuthorization = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                String value = headers.get(BearerToken.AUTHORIZATION);
                authorizations.add(value == null ? "<none>" : value);
                return next.startCall(call, headers);
            }
        };
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(service, recordAuthorization))
                .build()
                .start();
    }

    /** The factory the CLI gets: in-process, whatever the address. */
    ChannelFactory channelFactory() {
        return (address, caFile) -> {
            opened.add(new Opened(address, caFile));
            ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            channels.add(channel);
            return channel;
        };
    }

    /** Runs the CLI with the harness environment and work dir. */
    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MailcertCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, channelFactory(), workDir);
        for (ManagedChannel channel : channels) {
            assertTrue(channel.isShutdown(), "the CLI left its channel open");
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
